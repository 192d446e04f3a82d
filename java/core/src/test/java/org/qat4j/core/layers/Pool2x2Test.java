package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vectorisable 2×2 pool of the fused BN → act → pool picks the same maxima and the same first
 * maximal tap as {@link MaxPool2D#maxWindow}, ties included (few distinct values, ±0).
 */
class Pool2x2Test {
  private static final float[] VALUES = {-1f, -0f, 0f, 0.5f, 2f, 7f};

  private static void agrees(int h, int w, int c, float cap, long seed) {
    MaxPool2D pool = new MaxPool2D("p", 2, 2);
    pool.prepare(Checks.random(1, 1, h, w, c));
    ConvGeometry g = pool.geo;
    SplittableRandom r = new SplittableRandom(seed);
    float[] s = new float[h * w * c];
    for (int i = 0; i < s.length; i++) s[i] = VALUES[r.nextInt(VALUES.length)];
    int perOut = g.oh() * g.ow() * c;
    float[] want = new float[perOut], got = new float[perOut];
    int[] wantIdx = new int[perOut], gotIdx = new int[perOut];
    for (int oy = 0; oy < g.oh(); oy++)
      for (int ox = 0; ox < g.ow(); ox++) pool.maxWindow(s, oy, ox, want, wantIdx, 0);
    Lanes.clamp(want, perOut, cap);
    float[] idx = new float[perOut];
    new Pool2x2(g).forward(s, cap, got, idx);
    for (int o = 0; o < perOut; o++) gotIdx[o] = (int) idx[o];
    String what = h + "x" + w + "x" + c + " cap " + cap;
    assertArrayEquals(want, got, what + ": maxima");
    assertArrayEquals(wantIdx, gotIdx, what + ": first maximal taps");
  }

  @Test
  void sameMaximaAndFirstMaximalTapsAsMaxPool() {
    agrees(6, 6, 3, Float.POSITIVE_INFINITY, 1);
    agrees(7, 5, 2, 6f, 2);
    agrees(11, 11, 32, Float.POSITIVE_INFINITY, 3);
    agrees(4, 4, 1, 6f, 4);
  }

  @Test
  void nanStaysInsideTheSample() {
    MaxPool2D pool = new MaxPool2D("p", 2, 2);
    pool.prepare(Checks.random(1, 1, 4, 4, 1));
    float[] s = new float[16];
    s[5] = Float.NaN;
    s[10] = Float.POSITIVE_INFINITY;
    s[11] = Float.POSITIVE_INFINITY;
    float[] out = new float[4];
    float[] idx = new float[4];
    new Pool2x2(pool.geo).forward(s, Float.POSITIVE_INFINITY, out, idx);
    assertEquals(Float.NaN, out[0]);
    for (int o = 0; o < 4; o++) {
      int i = (int) idx[o];
      assertEquals(true, i >= 0 && i < 16, "index " + i);
    }
  }
}
