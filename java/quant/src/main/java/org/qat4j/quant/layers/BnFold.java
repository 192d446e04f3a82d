package org.qat4j.quant.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * The fused per-channel passes of {@link ConvBatchNorm} over the conv output z, [rows, channels]
 * with the channel fastest: batch statistics and ranges in one read, affine + activation + output
 * fake-quant in one write, and the backward passes of batch normalization with the activation and
 * straight-through gates recomputed from z on the fly (no mask is stored). Blocks of whole rows are
 * copied to heap arrays and every per-channel vector is tiled to the block length, so each loop is
 * flat over one index and JDK 17's C2 vectorizes it (a loop over C channels per row runs scalar).
 * With the Vector API module, {@link BnFoldGroups} runs the same lanes on the native storage.
 * Per-lane float partial sums are folded into double every {@link #FOLD_EVERY} blocks and combined
 * in fixed chunk order (deterministic for a thread count).
 */
final class BnFold {
  /** Floats per block: a block and its tiles stay in L1/L2. */
  private static final int BLOCK = 4096;

  /** Blocks summed per lane in float before a fold into double (≤ 16 terms per float sum). */
  static final int FOLD_EVERY = 16;

  static final int MIN_WORK = 1 << 14;

  /** 1.5·2²³: (q + MAGIC) − MAGIC rounds q to the nearest integer (ties to even) for |q| < 2²². */
  static final float MAGIC = 12582912f;

  /** d·BIG·BIG ≥ 1 for every positive float d (as in core's 2×2 pool). */
  static final float BIG = 1e38f;

  private BnFold() {}

  /**
   * Per-channel batch statistics of z: Σz and Σz² (when {@code moments}), min and max (when {@code
   * range}; a NaN in z makes its channel's range NaN).
   */
  record Stats(double[] sum, double[] sumSq, float[] min, float[] max) {}

  static Stats stats(Tensor z, int c, boolean moments, boolean range) {
    if (VectorApi.on()) return BnFoldGroups.stats(z, c, moments, range);
    int rows = z.size() / c, chunks = Parallel.grain(rows, z.size(), MIN_WORK);
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    float[][] lo = new float[chunks][c], hi = new float[chunks][c];
    FloatBuffer zb = z.buffer();
    int step = step(c), w = step * c;
    Parallel.forRange(
        rows,
        chunks,
        (r0, r1) -> {
          int k = Parallel.chunkOf(r0, rows, chunks);
          float[] v = new float[w], f1 = new float[w], f2 = new float[w];
          float[] mn = filled(w, Float.POSITIVE_INFINITY), mx = filled(w, Float.NEGATIVE_INFINITY);
          for (int r = r0, blk = 1; r < r1; r += step, blk++) {
            int len = Math.min(step, r1 - r) * c;
            zb.get(r * c, v, 0, len);
            if (moments) {
              for (int i = 0; i < len; i++) {
                float x = v[i];
                f1[i] += x;
                f2[i] += x * x;
              }
              if (blk % FOLD_EVERY == 0 || r + step >= r1) {
                fold(f1, s1[k]);
                fold(f2, s2[k]);
              }
            }
            if (range) {
              for (int i = 0; i < len; i++) mn[i] = Math.min(mn[i], v[i]);
              for (int i = 0; i < len; i++) mx[i] = Math.max(mx[i], v[i]);
            }
          }
          lanes(mn, lo[k], true);
          lanes(mx, hi[k], false);
        });
    double[] sum = new double[c], sumSq = new double[c];
    float[] min = lo[0].clone(), max = hi[0].clone();
    for (int k = 0; k < chunks; k++) {
      for (int ch = 0; ch < c; ch++) {
        sum[ch] += s1[k][ch];
        sumSq[ch] += s2[k][ch];
        min[ch] = Math.min(min[ch], lo[k][ch]);
        max[ch] = Math.max(max[ch], hi[k][ch]);
      }
    }
    return new Stats(sum, sumSq, min, max);
  }

  /** Rows per block for c channels. */
  static int step(int c) {
    return Math.max(1, BLOCK / c);
  }

  static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }

  /** {@code perChannel} repeated to {@code len} entries. */
  static float[] tile(float[] perChannel, int len) {
    float[] t = new float[len];
    System.arraycopy(perChannel, 0, t, 0, Math.min(perChannel.length, len));
    // Doubling: each copy starts at a multiple of the channel count.
    for (int have = perChannel.length; have < len; have *= 2)
      System.arraycopy(t, 0, t, have, Math.min(have, len - have));
    return t;
  }

  /** out[j mod C] += acc[j] in double (C = out.length, acc holds whole rows), then clears acc. */
  static void fold(float[] acc, double[] out) {
    int c = out.length;
    for (int r = 0; r < acc.length; r += c) for (int ch = 0; ch < c; ch++) out[ch] += acc[r + ch];
    Arrays.fill(acc, 0f);
  }

  /** out[ch] = the min (or max) of the lanes of channel ch. */
  static void lanes(float[] acc, float[] out, boolean min) {
    int c = out.length;
    System.arraycopy(acc, 0, out, 0, c);
    for (int r = c; r < acc.length; r += c)
      for (int ch = 0; ch < c; ch++)
        out[ch] = min ? Math.min(out[ch], acc[r + ch]) : Math.max(out[ch], acc[r + ch]);
  }

  /**
   * The exact [min, max] of act(z·mul + add) over all channels, given each channel's z range: the
   * float map z → z·mul + add and the activations are monotone, so the extremes come from the ends.
   * {@code mul} null means 1.
   */
  static float[] outputRange(float[] zMin, float[] zMax, float[] mul, float[] add, Activation act) {
    float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
    for (int ch = 0; ch < add.length; ch++) {
      float m = mul == null ? 1f : mul[ch];
      float a = activate(zMin[ch] * m + add[ch], act), b = activate(zMax[ch] * m + add[ch], act);
      lo = Math.min(lo, Math.min(a, b));
      hi = Math.max(hi, Math.max(a, b));
    }
    return new float[] {lo, hi};
  }

  private static float activate(float y, Activation act) {
    if (act == Activation.NONE) return y;
    float hi = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    return y < 0f ? 0f : (y > hi ? hi : y);
  }

  /**
   * Where the gradient passes, as a window on the pre-activation y: the activation's open interval
   * (0, 6), (0, ∞) or everything, and the output fake-quant's closed nudged range (the activated
   * value equals y wherever the activation passes).
   */
  record Window(float lo, float hi, float qlo, float qhi) {}

  /** The window of {@code act} followed by a fake-quant on {@code grid} (null: no fake-quant). */
  static Window window(Activation act, FakeQuant.Nudged grid) {
    float lo = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
    float hi = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    boolean all = grid == null || grid.zero();
    return new Window(
        lo,
        hi,
        all ? Float.NEGATIVE_INFINITY : grid.nudgedMin(),
        all ? Float.POSITIVE_INFINITY : grid.nudgedMax());
  }

  /**
   * out = fq(act(z·mul[c] + add[c])) with the per-tensor grid {@code n}, TensorFlow's per-tensor
   * kernel with the same float results as {@link FakeQuant#quantizeVars}; {@code mul} null means 1.
   * Clamps use Math.min/max (branch-free); where they differ from comparisons (the sign of a zero)
   * the quantized value is the same. The floor is computed in float without a select: q lies in
   * [−qzero, qmax + 1] (|q| ≪ 2²²), where rounding with MAGIC and stepping down by one where the
   * rounded value exceeds q is exact (and q is never −0).
   */
  static void affineActQuant(
      Tensor z, Tensor out, float[] mul, float[] add, Activation act, FakeQuant.Nudged n) {
    if (VectorApi.on() && !n.zero()) {
      BnFoldGroups.affineActQuant(z, out, mul, add, act, n);
      return;
    }
    int c = add.length, rows = z.size() / c, w = step(c) * c;
    FloatBuffer zb = z.buffer(), ob = out.buffer();
    float top = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY,
        bottom = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
    float nmin = n.nudgedMin(), nmax = n.nudgedMax(), s = n.scale(), qz = n.qzero();
    float[] mt = tile(mul != null ? mul : ones(c), w), at = tile(add, w);
    boolean zero = n.zero();
    blocks(
        rows,
        c,
        (k, blk, base, len, v, u) -> {
          zb.get(base, v, 0, len);
          for (int i = 0; i < len; i++) {
            float y = v[i] * mt[i] + at[i];
            float xc = Math.min(Math.max(Math.min(Math.max(y, bottom), top), nmin), nmax);
            float q = (xc - nmin) / s - qz + 0.5f;
            float r = (q + MAGIC) - MAGIC;
            v[i] = (r - Math.min(1f, Math.max(0f, (r - q) * BIG * BIG))) * s;
          }
          if (zero) Arrays.fill(v, 0, len, 0f);
          ob.put(base, v, 0, len);
        });
  }

  /** c ones: the per-channel multiplier when there is none. */
  static float[] ones(int c) {
    float[] o = new float[c];
    Arrays.fill(o, 1f);
    return o;
  }

  /**
   * g with the gradient window applied in place on a block: y = z·m + add recomputed exactly as the
   * forward pass did, with m and add tiled ({@code w} null: g is already masked). Branch-free (the
   * tests are random, so branches would mispredict): each test is the sign bit of a difference,
   * ties included as the comparisons define them; y + 0 turns −0 into +0 so y ≥ +0 holds for y =
   * −0.
   */
  private static void gate(float[] vg, float[] vz, int len, float[] mt, float[] at, Window w) {
    if (w == null) return;
    float lo = w.lo, hi = w.hi, qlo = w.qlo, qhi = w.qhi;
    for (int i = 0; i < len; i++) {
      float y = vz[i] * mt[i] + at[i];
      int pass =
          (Float.floatToRawIntBits(lo - y)
                  & Float.floatToRawIntBits(y - hi)
                  & ~(Float.floatToRawIntBits((y + 0f) - qlo) | Float.floatToRawIntBits(qhi - y)))
              >> 31;
      vg[i] = Float.intBitsToFloat(Float.floatToRawIntBits(vg[i]) & pass);
    }
  }

  /**
   * Per channel Σ g·m and Σ g·m·(z − mean), m = the window's gate on z·mul + add (w null: none):
   * the batch-norm backward reductions (dβ and, divided by the normalizer, dγ). Writes g·m to
   * {@code gated} unless null, so that {@link #bnInputGrad} need not gate again.
   */
  static double[][] gradSums(
      Tensor g, Tensor z, float[] mean, float[] mul, float[] add, Window w, Tensor gated) {
    if (VectorApi.on()) return BnFoldGroups.gradSums(g, z, mean, mul, add, w, gated);
    int c = mean.length, rows = g.size() / c, width = step(c) * c;
    int chunks = Parallel.grain(rows, g.size(), MIN_WORK);
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    FloatBuffer gb = g.buffer(), zb = z.buffer(), ob = gated == null ? null : gated.buffer();
    float[] mt = tile(mul != null ? mul : ones(c), width), at = tile(add, width);
    float[] meant = tile(mean, width);
    float[][] f1 = new float[chunks][width], f2 = new float[chunks][width];
    blocks(
        rows,
        c,
        (k, blk, base, len, vg, vz) -> {
          gb.get(base, vg, 0, len);
          zb.get(base, vz, 0, len);
          gate(vg, vz, len, mt, at, w);
          if (ob != null) ob.put(base, vg, 0, len);
          float[] a1 = f1[k], a2 = f2[k];
          for (int i = 0; i < len; i++) {
            float x = vg[i];
            a1[i] += x;
            a2[i] += x * (vz[i] - meant[i]);
          }
          if (blk % FOLD_EVERY == 0) {
            fold(a1, s1[k]);
            fold(a2, s2[k]);
          }
        });
    for (int k = 0; k < chunks; k++) {
      fold(f1[k], s1[k]);
      fold(f2[k], s2[k]);
    }
    return combine(s1, s2, c);
  }

  /**
   * dz = p·(g·m) + q·(z − mean) + r per channel, m = the window's gate on z·mul + add (w null:
   * none).
   */
  static void bnInputGrad(
      Tensor g,
      Tensor z,
      float[] mean,
      float[] p,
      float[] q,
      float[] r,
      float[] mul,
      float[] add,
      Window w,
      Tensor dz) {
    if (VectorApi.on()) {
      BnFoldGroups.bnInputGrad(g, z, new float[][] {mean, p, q, r}, mul, add, w, dz);
      return;
    }
    int c = mean.length, rows = g.size() / c, width = step(c) * c;
    FloatBuffer gb = g.buffer(), zb = z.buffer(), db = dz.buffer();
    float[] mt = tile(mul != null ? mul : ones(c), width), at = tile(add, width);
    float[] meant = tile(mean, width), pt = tile(p, width), qt = tile(q, width);
    float[] rt = tile(r, width);
    blocks(
        rows,
        c,
        (k, blk, base, len, vg, vz) -> {
          gb.get(base, vg, 0, len);
          zb.get(base, vz, 0, len);
          gate(vg, vz, len, mt, at, w);
          for (int i = 0; i < len; i++) vg[i] = pt[i] * vg[i] + qt[i] * (vz[i] - meant[i]) + rt[i];
          db.put(base, vg, 0, len);
        });
  }

  /**
   * dz = g·m, m = the window's gate on z + add (w null: none, and z may be null; dz null: sums
   * only); returns the per-channel Σ g·m.
   */
  static double[] maskAndSum(Tensor g, Tensor z, float[] add, Window w, Tensor dz, int c) {
    if (VectorApi.on()) return BnFoldGroups.maskAndSum(g, z, add, w, dz, c);
    int rows = g.size() / c, width = step(c) * c, chunks = Parallel.grain(rows, g.size(), MIN_WORK);
    double[][] s1 = new double[chunks][c];
    FloatBuffer gb = g.buffer(),
        zb = w == null ? null : z.buffer(),
        db = dz == null ? null : dz.buffer();
    float[] mt = tile(ones(c), width), at = tile(add, width);
    float[][] f1 = new float[chunks][width];
    blocks(
        rows,
        c,
        (k, blk, base, len, vg, vz) -> {
          gb.get(base, vg, 0, len);
          if (w != null) {
            zb.get(base, vz, 0, len);
            gate(vg, vz, len, mt, at, w);
          }
          float[] a1 = f1[k];
          for (int i = 0; i < len; i++) a1[i] += vg[i];
          if (blk % FOLD_EVERY == 0) fold(a1, s1[k]);
          if (db != null) db.put(base, vg, 0, len);
        });
    for (int k = 0; k < chunks; k++) fold(f1[k], s1[k]);
    return combine(s1, new double[chunks][c], c)[0];
  }

  static double[][] combine(double[][] s1, double[][] s2, int c) {
    double[][] out = new double[2][c];
    for (int k = 0; k < s1.length; k++)
      for (int j = 0; j < c; j++) {
        out[0][j] += s1[k][j];
        out[1][j] += s2[k][j];
      }
    return out;
  }

  /** One block of whole rows: chunk k, its blk-th block (from 1), elements [base, base + len). */
  @FunctionalInterface
  private interface Body {
    void run(int k, int blk, int base, int len, float[] v, float[] u);
  }

  /**
   * Runs {@code body} over [rows, c] in blocks of whole rows, in the same parallel chunks as the
   * sums' partial arrays (two block-sized scratch arrays per chunk).
   */
  private static void blocks(int rows, int c, Body body) {
    int step = step(c), chunks = Parallel.grain(rows, (long) rows * c, MIN_WORK);
    Parallel.forRange(
        rows,
        chunks,
        (r0, r1) -> {
          int k = Parallel.chunkOf(r0, rows, chunks);
          float[] v = new float[step * c], u = new float[step * c];
          for (int r = r0, blk = 1; r < r1; r += step, blk++)
            body.run(k, blk, r * c, Math.min(step, r1 - r) * c, v, u);
        });
  }
}
