package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

/**
 * {@link FoldVector} and {@link KernelFold} against the plain folding loop, bit for bit: the folded
 * kernel and its per-channel or per-tensor range, channel counts with and without a scalar tail,
 * signed zeros, a NaN and an infinity among the weights.
 */
class FoldVectorTest {
  private static Tensor kernel(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(-2, 2);
    v[1] = -0f;
    v[2] = 0f;
    return Tensor.of(v, n);
  }

  private static float[] scales(long seed, int c) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] s = new float[c];
    for (int j = 0; j < c; j++) s[j] = (float) r.nextDouble(-1.5, 1.5);
    return s;
  }

  /** The plain loop: k = w·sf[i mod C], lo/hi over channel i mod C (or all, length 1). */
  private static float[] plain(float[] w, float[] sf, float[] lo, float[] hi) {
    float[] k = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      k[i] = w[i] * sf[i % sf.length];
      int q = i % lo.length;
      lo[q] = Math.min(lo[q], k[i]);
      hi[q] = Math.max(hi[q], k[i]);
    }
    return k;
  }

  private static void check(int c, int rows, boolean perTensor, boolean odd) {
    Tensor w = kernel(c * 7L + rows, c * rows);
    if (odd) {
      w.set(3 % w.size(), Float.NaN);
      w.set(5 % w.size(), Float.NEGATIVE_INFINITY);
    }
    float[] sf = scales(c, c);
    int wc = perTensor ? 1 : c;
    float[] wantLo = new float[wc], wantHi = new float[wc], lo = new float[wc], hi = new float[wc];
    float[] want = plain(w.toArray(), sf, wantLo, wantHi);
    Tensor k = Tensor.zeros(w.size()), k2 = Tensor.zeros(w.size());
    FoldVector.foldRange(w.bytes(), k.bytes(), sf, w.size(), lo, hi);
    FoldVector.fold(w.bytes(), k2.bytes(), sf, w.size());
    String what = c + " channels x " + rows + (perTensor ? " per tensor" : " per channel");
    assertArrayEquals(bits(want), bits(k.toArray()), what + ": kernel");
    assertArrayEquals(bits(want), bits(k2.toArray()), what + ": kernel without a range");
    assertArrayEquals(bits(wantLo), bits(lo), what + ": min");
    assertArrayEquals(bits(wantHi), bits(hi), what + ": max");
    float[] lo3 = new float[wc], hi3 = new float[wc];
    Tensor k3 = Tensor.zeros(w.size()), k4 = Tensor.zeros(w.size());
    KernelFold.fold(w.buffer(), k3.buffer(), sf, w.size(), lo3, hi3);
    KernelFold.fold(w.buffer(), k4.buffer(), sf, w.size(), null, null);
    assertArrayEquals(bits(want), bits(k3.toArray()), what + ": heap kernel");
    assertArrayEquals(bits(want), bits(k4.toArray()), what + ": heap kernel without a range");
    assertArrayEquals(bits(wantLo), bits(lo3), what + ": heap min");
    assertArrayEquals(bits(wantHi), bits(hi3), what + ": heap max");
  }

  private static int[] bits(float[] v) {
    int[] b = new int[v.length];
    for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
    return b;
  }

  @Test
  void foldedKernelAndRangeEqualThePlainLoop() {
    for (int c : new int[] {1, 3, 16, 17, 32, 33, 64})
      for (boolean perTensor : new boolean[] {false, true}) {
        check(c, 9, perTensor, false);
        check(c, 288, perTensor, true);
        check(c, 300, perTensor, true);
      }
  }

  @Test
  void aNaNMakesItsChannelsRangeNaN() {
    float[] lo = new float[17], hi = new float[17];
    Tensor w = kernel(1, 17 * 4), k = Tensor.zeros(17 * 4);
    w.set(17 + 4, Float.NaN);
    FoldVector.foldRange(w.bytes(), k.bytes(), scales(2, 17), w.size(), lo, hi);
    assertEquals(Float.NaN, lo[4]);
    assertEquals(Float.NaN, hi[4]);
    float[] lo2 = new float[17], hi2 = new float[17];
    KernelFold.fold(w.buffer(), k.buffer(), scales(2, 17), w.size(), lo2, hi2);
    assertEquals(Float.NaN, lo2[4]);
    assertEquals(Float.NaN, hi2[4]);
  }
}
