package org.qat4j.quant.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;
import org.qat4j.core.layers.Activation;

/**
 * Parallel per-channel elementwise loops of the QAT layers over [rows, channels] data (channel
 * fastest), working on blocks copied to heap arrays so the JIT vectorizes them. Reductions are
 * combined in fixed chunk order (deterministic).
 */
final class Elementwise {
  private static final int BLOCK = 8192;

  private Elementwise() {}

  /** dst = act(src·mul[c] + add[c]); mul may be null (= 1). */
  static void affineActivate(Tensor src, Tensor dst, float[] mul, float[] add, Activation act) {
    int c = add.length, rows = src.size() / c;
    FloatBuffer s = src.buffer(), d = dst.buffer();
    float hi = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    float lo = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
    Parallel.forRange(rows, (r0, r1) -> {
      int step = Math.max(1, BLOCK / c);
      float[] v = new float[step * c];
      for (int r = r0; r < r1; r += step) {
        int len = Math.min(step, r1 - r) * c;
        s.get(r * c, v, 0, len);
        for (int i = 0, ch = 0; i < len; i++) {
          float y = (mul == null ? v[i] : v[i] * mul[ch]) + add[ch];
          v[i] = y < lo ? lo : (y > hi ? hi : y);
          if (++ch == c) ch = 0;
        }
        d.put(r * c, v, 0, len);
      }
    });
  }

  /** dst = g where the activated output y is not clamped by {@code act} and {@code mask} (may be null) is 1, else 0. */
  static void activationMask(Tensor g, Tensor y, Tensor dst, Activation act, byte[] mask) {
    int n = g.size();
    FloatBuffer gb = g.buffer(), yb = y.buffer(), d = dst.buffer();
    boolean relu6 = act == Activation.RELU6, none = act == Activation.NONE;
    Parallel.forRange((n + BLOCK - 1) / BLOCK, (b0, b1) -> {
      float[] vg = new float[BLOCK], vy = new float[BLOCK];
      for (int b = b0; b < b1; b++) {
        int off = b * BLOCK, len = Math.min(BLOCK, n - off);
        gb.get(off, vg, 0, len);
        if (!none) {
          yb.get(off, vy, 0, len);
          for (int i = 0; i < len; i++) if (vy[i] <= 0f || (relu6 && vy[i] >= 6f)) vg[i] = 0f;
        }
        if (mask != null) for (int i = 0; i < len; i++) if (mask[off + i] == 0) vg[i] = 0f;
        d.put(off, vg, 0, len);
      }
    });
  }

  /**
   * Batch-statistics backward of the unscaling u = z/sf + b: gz = gu/sf, and per channel
   * db += Σ gu, dsf −= Σ gu·z/sf². Returns {db, dsf}.
   */
  static double[][] unscaleBackward(Tensor gu, Tensor z, Tensor gz, float[] sf) {
    int c = sf.length, rows = gu.size() / c, chunks = Parallel.chunks(rows);
    double[][] db = new double[chunks][c], dsf = new double[chunks][c];
    FloatBuffer gb = gu.buffer(), zb = z.buffer(), ob = gz.buffer();
    float[] inv = new float[c];
    for (int k = 0; k < c; k++) inv[k] = 1f / sf[k];
    Parallel.forRange(rows, chunks, (r0, r1) -> {
      int chunk = (int) ((long) r0 * chunks / rows);
      while (chunk + 1 < chunks && (long) (chunk + 1) * rows / chunks <= r0) chunk++;
      double[] a = db[chunk], s = dsf[chunk];
      int step = Math.max(1, BLOCK / c);
      float[] vg = new float[step * c], vz = new float[step * c];
      for (int r = r0; r < r1; r += step) {
        int len = Math.min(step, r1 - r) * c;
        gb.get(r * c, vg, 0, len);
        zb.get(r * c, vz, 0, len);
        for (int i = 0, ch = 0; i < len; i++) {
          float g = vg[i];
          a[ch] += g;
          s[ch] += g * vz[i];
          vg[i] = g * inv[ch];
          if (++ch == c) ch = 0;
        }
        ob.put(r * c, vg, 0, len);
      }
    });
    double[][] out = new double[2][c];
    for (int k = 0; k < chunks; k++) {
      for (int j = 0; j < c; j++) { out[0][j] += db[k][j]; out[1][j] += dsf[k][j]; }
    }
    for (int j = 0; j < c; j++) out[1][j] = -out[1][j] / ((double) sf[j] * sf[j]);
    return out;
  }

  /** Per-channel Σ g (into out[0]) and Σ g·w (into out[1]) over [rows, c]. */
  static double[][] channelSums(Tensor g, Tensor w, int c) {
    int rows = g.size() / c, chunks = Parallel.chunks(rows);
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    FloatBuffer gb = g.buffer(), wb = w == null ? null : w.buffer();
    Parallel.forRange(rows, chunks, (r0, r1) -> {
      int chunk = (int) ((long) r0 * chunks / rows);
      while (chunk + 1 < chunks && (long) (chunk + 1) * rows / chunks <= r0) chunk++;
      double[] a = s1[chunk], b = s2[chunk];
      int step = Math.max(1, BLOCK / c);
      float[] vg = new float[step * c], vw = new float[step * c];
      for (int r = r0; r < r1; r += step) {
        int len = Math.min(step, r1 - r) * c;
        gb.get(r * c, vg, 0, len);
        if (wb != null) wb.get(r * c, vw, 0, len);
        for (int i = 0, ch = 0; i < len; i++) {
          a[ch] += vg[i];
          if (wb != null) b[ch] += vg[i] * vw[i];
          if (++ch == c) ch = 0;
        }
      }
    });
    double[][] out = new double[2][c];
    for (int k = 0; k < chunks; k++) for (int j = 0; j < c; j++) { out[0][j] += s1[k][j]; out[1][j] += s2[k][j]; }
    return out;
  }
}
