package org.qat4j.core.layers;

import java.util.Arrays;
import org.qat4j.ir.internal.VectorApi;

/**
 * Per-channel loops over channels-last heap blocks written as flat loops over one index: the
 * per-channel vectors are tiled to the block length, so every array is read at the same index. JDK
 * 17's C2 vectorizes such loops (measured ≈ 5–8× faster than a loop over C channels per row, or
 * than tiles read at an offset from the data). Blocks start at channel 0 and hold whole rows.
 */
final class Lanes {
  /** Rows per block aim at this many floats (16 KB), so a block and its tiles stay in L1/L2. */
  static final int BLOCK = 4096;

  /** Blocks accumulated in float before a fold into double (≤ 16 terms per float sum). */
  static final int FOLD_EVERY = 16;

  /** jdk.incubator.vector is in the boot layer ({@link VectorApi#AVAILABLE}). */
  static final boolean VECTOR_AVAILABLE = VectorApi.AVAILABLE;

  private Lanes() {}

  /**
   * Whether the training kernels run on the Vector API ({@link BnVector}, {@link VectorConv},
   * {@link MaxPoolVector}): {@link VectorApi#on()}. Layers test it before they touch those classes.
   */
  static boolean vector() {
    return VectorApi.on();
  }

  /** {@link VectorApi#use}: for tests comparing both paths. */
  static void useVector(boolean on) {
    VectorApi.use(on);
  }

  /** Rows per block for c channels. */
  static int rows(int c) {
    return Math.max(1, BLOCK / c);
  }

  /** {@code perChannel} repeated to {@code len} entries. */
  static float[] tile(float[] perChannel, int len) {
    float[] t = new float[len];
    for (int o = 0; o < len; o += perChannel.length)
      System.arraycopy(perChannel, 0, t, o, Math.min(perChannel.length, len - o));
    return t;
  }

  /** v = a·v + b over [0, len). */
  static void affine(float[] v, int len, float[] a, float[] b) {
    for (int i = 0; i < len; i++) v[i] = a[i] * v[i] + b[i];
  }

  /** s1 += v, s2 += v² over [0, len). */
  static void sums(float[] v, int len, float[] s1, float[] s2) {
    for (int i = 0; i < len; i++) {
      float e = v[i];
      s1[i] += e;
      s2[i] += e * e;
    }
  }

  /** s1 += g, s2 += g·(x − mu)·is over [0, len). */
  static void sumsNormalized(
      float[] g, float[] x, int len, float[] mu, float[] is, float[] s1, float[] s2) {
    for (int i = 0; i < len; i++) {
      float e = g[i];
      s1[i] += e;
      s2[i] += e * ((x[i] - mu[i]) * is[i]);
    }
  }

  /** d = p·d + q·x + r over [0, len). */
  static void combine(float[] d, float[] x, int len, float[] p, float[] q, float[] r) {
    for (int i = 0; i < len; i++) d[i] = p[i] * d[i] + q[i] * x[i] + r[i];
  }

  /** Clamps v[0, len) to [0, hi] (ReLU: hi = +∞; ReLU6: 6). */
  static void clamp(float[] v, int len, float hi) {
    for (int i = 0; i < len; i++) v[i] = Math.min(Math.max(v[i], 0f), hi);
  }

  /** Zeroes g where the activation output y is outside (0, hi): the ReLU / ReLU6 derivative. */
  static void gate(float[] g, float[] y, int len, float hi) {
    for (int i = 0; i < len; i++) {
      float v = y[i];
      // Branch-free (signs are random): keep iff 0 < v < hi.
      int mask = (-Float.floatToRawIntBits(v) >> 31) & (Float.floatToRawIntBits(v - hi) >> 31);
      g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & mask);
    }
  }

  /** out[j mod C] += acc[j] (double; C = out.length, acc holds whole rows), then clears acc. */
  static void fold(float[] acc, double[] out) {
    int c = out.length;
    for (int r = 0; r < acc.length; r += c) for (int ch = 0; ch < c; ch++) out[ch] += acc[r + ch];
    Arrays.fill(acc, 0f);
  }
}
