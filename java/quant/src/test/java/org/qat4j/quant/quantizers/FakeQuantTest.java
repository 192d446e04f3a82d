package org.qat4j.quant.quantizers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

class FakeQuantTest {
  /**
   * The kernel formula written out independently, in double where TF's float ops are exact anyway.
   */
  private static float reference(
      float x, float min, float max, int bits, boolean narrow, boolean perChannel) {
    float qmin = narrow ? 1 : 0, qmax = (1 << bits) - 1;
    if (min == 0f && max == 0f) return 0f;
    float scale = (max - min) / (qmax - qmin);
    float inv = (qmax - qmin) / (max - min);
    float zpf = qmin - min / scale;
    float zp;
    if (zpf < qmin) zp = qmin;
    else if (zpf > qmax) zp = qmax;
    else zp = (float) (Math.signum(zpf) * Math.floor(Math.abs(zpf) + 0.5));
    float nmin = (qmin - zp) * scale, nmax = (qmax - zp) * scale;
    float qzero = (float) Math.floor(-nmin * inv + 0.5f);
    float xc = Math.max(nmin, Math.min(nmax, x));
    float t = perChannel ? (xc - nmin) * inv : (xc - nmin) / scale;
    return (float) Math.floor(t - qzero + 0.5f) * scale;
  }

  @Test
  void cRoundIsHalfAwayFromZero() {
    assertEquals(3f, FakeQuant.cRound(2.5f));
    assertEquals(-3f, FakeQuant.cRound(-2.5f));
    assertEquals(-2f, FakeQuant.cRound(-2.49f));
    assertEquals(0f, FakeQuant.cRound(0.4999f));
  }

  @Test
  void matchesFormulaOnRandomRangesAllBitWidths() {
    SplittableRandom r = new SplittableRandom(7);
    for (int bits = 2; bits <= 8; bits++) {
      for (boolean narrow : new boolean[] {false, true}) {
        for (int trial = 0; trial < 200; trial++) {
          float min = (float) (-r.nextDouble() * 5), max = (float) (r.nextDouble() * 5 + 1e-3);
          FakeQuant.Nudged n = FakeQuant.nudge(min, max, bits, narrow);
          for (int k = 0; k < 20; k++) {
            float x = (float) (r.nextDouble() * 14 - 7);
            assertEquals(
                reference(x, min, max, bits, narrow, false), FakeQuant.quantizeVars(x, n), 0f);
            assertEquals(
                reference(x, min, max, bits, narrow, true), FakeQuant.quantizeInv(x, n), 0f);
          }
        }
      }
    }
  }

  @Test
  void zeroIsExactAndOutputsOnGrid() {
    FakeQuant.Nudged n = FakeQuant.nudge(-0.3f, 1.7f, 8, false);
    assertEquals(0f, FakeQuant.quantizeVars(0f, n));
    assertEquals(0f, n.nudgedMin() + n.zeroPoint() * n.scale(), 1e-6f);
    for (float x = -1; x < 2; x += 0.01f) {
      float q = FakeQuant.quantizeVars(x, n) / n.scale();
      assertEquals(Math.rint(q), q, 1e-3, "off grid at " + x);
    }
  }

  @Test
  void zeroPointTieRoundsAwayFromZero() {
    // min = -2.5·scale with scale 1: zpf = 2.5 → C rounding gives 3 (Math.rint would give 2).
    FakeQuant.Nudged n = FakeQuant.nudge(-2.5f, 252.5f, 8, false);
    assertEquals(3, n.zeroPoint());
    assertEquals(-3f, n.nudgedMin());
    assertEquals(252f, n.nudgedMax());
  }

  @Test
  void valueTiesRoundUpAsFloorPlusHalf() {
    FakeQuant.Nudged n = FakeQuant.nudge(0f, 255f, 8, false); // scale 1, zp 0
    assertEquals(3f, FakeQuant.quantizeVars(2.5f, n));
    assertEquals(4f, FakeQuant.quantizeVars(3.5f, n));
    FakeQuant.Nudged m = FakeQuant.nudge(-128f, 127f, 8, false);
    assertEquals(-2f, FakeQuant.quantizeVars(-2.5f, m)); // floor(-2.5+0.5) = -2, not C's -3
  }

  @Test
  void rangesNotContainingZeroAreShifted() {
    FakeQuant.Nudged pos = FakeQuant.nudge(1f, 3f, 8, false);
    assertEquals(0, pos.zeroPoint());
    assertEquals(0f, pos.nudgedMin());
    assertEquals(2f, pos.nudgedMax(), 1e-6f);
    assertEquals(0f, FakeQuant.quantizeVars(-0.5f, pos));
    assertEquals(2f, FakeQuant.quantizeVars(7f, pos), 1e-6f);
    FakeQuant.Nudged neg = FakeQuant.nudge(-3f, -1f, 8, true);
    assertEquals(255, neg.zeroPoint());
    assertEquals(0f, neg.nudgedMax());
    assertEquals(0f, FakeQuant.quantizeVars(2f, neg));
  }

  @Test
  void zeroRangeOutputsZeroAndPassesGradient() {
    FakeQuant.Nudged z = FakeQuant.nudge(0f, 0f, 8, true);
    assertEquals(0f, FakeQuant.quantizeVars(5f, z));
    assertTrue(FakeQuant.passes(5f, z));
  }

  @Test
  void degenerateRangesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> FakeQuant.nudge(1f, 1f, 8, false));
    assertThrows(IllegalArgumentException.class, () -> FakeQuant.nudge(2f, 1f, 8, false));
    assertThrows(IllegalArgumentException.class, () -> FakeQuant.nudge(Float.NaN, 1f, 8, false));
    assertThrows(IllegalArgumentException.class, () -> FakeQuant.nudge(-1f, 1f, 9, false));
    assertThrows(IllegalArgumentException.class, () -> FakeQuant.nudge(-1f, 1f, 1, false));
  }

  @Test
  void steMaskIsInsideNudgedRangeInclusive() {
    FakeQuant.Nudged n = FakeQuant.nudge(-1f, 1f, 8, true);
    float[] xs = {n.nudgedMin(), n.nudgedMax(), n.nudgedMin() - 1e-4f, n.nudgedMax() + 1e-4f, 0.3f};
    byte[] mask = new byte[xs.length];
    Tensor in = Tensor.of(xs, xs.length), out = Tensor.zeros(xs.length);
    FakeQuant.apply(in.buffer(), out.buffer(), xs.length, new FakeQuant.Nudged[] {n}, mask, false);
    assertArrayEquals(new byte[] {1, 1, 0, 0, 1}, mask);
    Tensor g = Tensor.of(new float[] {1, 2, 3, 4, 5}, 5);
    FakeQuant.maskGradient(g.buffer(), 5, mask);
    assertArrayEquals(new float[] {1, 2, 0, 0, 5}, g.toArray());
  }

  @Test
  void perChannelUsesLastAxisAndLargeTensorsMatchSerial() {
    SplittableRandom r = new SplittableRandom(3);
    int c = 3, size = c * 40000;
    FakeQuant.Nudged[] g = {
      FakeQuant.nudge(-1f, 1f, 8, true),
      FakeQuant.nudge(-0.1f, 0.1f, 8, true),
      FakeQuant.nudge(0f, 0f, 8, true)
    };
    Tensor in = Tensor.zeros(size), out = Tensor.zeros(size);
    for (int i = 0; i < size; i++) in.set(i, (float) (r.nextDouble() * 4 - 2));
    byte[] mask = new byte[size];
    FakeQuant.apply(in.buffer(), out.buffer(), size, g, mask, true);
    for (int i = 0; i < size; i++) {
      assertEquals(FakeQuant.quantizeInv(in.get(i), g[i % c]), out.get(i), 0f);
      assertEquals(FakeQuant.passes(in.get(i), g[i % c]) ? 1 : 0, mask[i]);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> FakeQuant.apply(in.buffer(), out.buffer(), size - 1, g, null, true));
  }

  /**
   * apply()'s vectorized blocks against the per-element kernels, bit for bit, on values placed at
   * grid points, half-steps between them (where the floor decides), the range ends and ±0, for
   * per-tensor and per-channel grids (one of them zero) and channel counts that split blocks.
   */
  @Test
  void blocksEqualThePerElementKernelsAtGridPointsAndHalfSteps() {
    SplittableRandom r = new SplittableRandom(11);
    for (int c : new int[] {1, 3, 17, 33})
      for (boolean perChannel : new boolean[] {false, true}) {
        if (!perChannel && c > 1) continue;
        FakeQuant.Nudged[] g = new FakeQuant.Nudged[c];
        for (int ch = 0; ch < c; ch++)
          g[ch] =
              ch == 1
                  ? FakeQuant.nudge(0f, 0f, 8, true)
                  : FakeQuant.nudge(
                      (float) (-r.nextDouble() * 3),
                      (float) (r.nextDouble() * 3 + 0.01),
                      8,
                      ch % 2 == 0);
        int size = c * 5000;
        Tensor in = adversarial(r, g, size), out = Tensor.zeros(size);
        byte[] mask = new byte[size];
        FakeQuant.apply(in.buffer(), out.buffer(), size, g, mask, perChannel);
        for (int i = 0; i < size; i++) {
          FakeQuant.Nudged n = g[i % c];
          float x = in.get(i);
          float want = perChannel ? FakeQuant.quantizeInv(x, n) : FakeQuant.quantizeVars(x, n);
          assertEquals(want, out.get(i), 0f, "c=" + c + " x=" + x + " " + n);
          assertEquals(FakeQuant.passes(x, n) ? 1 : 0, mask[i], "mask x=" + x);
        }
      }
  }

  /** Values at grid points, half-steps, the nudged ends, ±0 or anywhere, per channel's grid. */
  private static Tensor adversarial(SplittableRandom r, FakeQuant.Nudged[] g, int size) {
    Tensor in = Tensor.zeros(size);
    for (int i = 0; i < size; i++) {
      FakeQuant.Nudged n = g[i % g.length];
      float s = n.zero() ? 0.01f : n.scale();
      int k = r.nextInt(-10, 270);
      float x =
          switch (r.nextInt(5)) {
            case 0 -> n.nudgedMin() + k * s;
            case 1 -> n.nudgedMin() + (k + 0.5f) * s;
            case 2 -> r.nextBoolean() ? n.nudgedMin() : n.nudgedMax();
            case 3 -> r.nextBoolean() ? 0f : -0f;
            default -> (float) (r.nextDouble() * 10 - 5);
          };
      in.set(i, x);
    }
    return in;
  }
}
