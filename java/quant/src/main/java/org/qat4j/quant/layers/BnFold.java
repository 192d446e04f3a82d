package org.qat4j.quant.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * The fused per-channel passes of {@link ConvBatchNorm} over the conv output z, [rows, channels]
 * with the channel fastest: batch statistics and ranges in one read, affine + activation + output
 * fake-quant in one write, and the backward passes of batch normalization with the activation and
 * straight-through gates recomputed from z on the fly (no mask is stored). Blocks are copied to
 * heap arrays so the JIT vectorizes; partial sums are combined in fixed chunk order
 * (deterministic).
 */
final class BnFold {
  private static final int BLOCK = 8192;
  private static final int MIN_WORK = 1 << 14;

  private BnFold() {}

  /**
   * Per-channel batch statistics of z: Σz and Σz² (when {@code moments}), min and max (when {@code
   * range}).
   */
  record Stats(double[] sum, double[] sumSq, float[] min, float[] max) {}

  static Stats stats(Tensor z, int c, boolean moments, boolean range) {
    int rows = z.size() / c, chunks = Parallel.grain(rows, z.size(), MIN_WORK);
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    float[][] lo = new float[chunks][c], hi = new float[chunks][c];
    FloatBuffer zb = z.buffer();
    Parallel.forRange(
        rows,
        chunks,
        (r0, r1) -> {
          int k = Parallel.chunkOf(r0, rows, chunks), step = Math.max(1, BLOCK / c);
          float[] v = new float[step * c],
              f1 = new float[c],
              f2 = new float[c],
              mn = lo[k],
              mx = hi[k];
          java.util.Arrays.fill(mn, Float.POSITIVE_INFINITY);
          java.util.Arrays.fill(mx, Float.NEGATIVE_INFINITY);
          for (int r = r0; r < r1; r += step) {
            int len = Math.min(step, r1 - r) * c;
            zb.get(r * c, v, 0, len);
            if (moments) {
              java.util.Arrays.fill(f1, 0f);
              java.util.Arrays.fill(f2, 0f);
              for (int i = 0; i < len; i += c) {
                for (int ch = 0; ch < c; ch++) {
                  float x = v[i + ch];
                  f1[ch] += x;
                  f2[ch] += x * x;
                }
              }
              for (int ch = 0; ch < c; ch++) {
                s1[k][ch] += f1[ch];
                s2[k][ch] += f2[ch];
              }
            }
            if (range) {
              for (int i = 0; i < len; i += c) {
                for (int ch = 0; ch < c; ch++) {
                  float x = v[i + ch];
                  mn[ch] = x < mn[ch] ? x : mn[ch];
                  mx[ch] = x > mx[ch] ? x : mx[ch];
                }
              }
            }
          }
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
   * kernel exactly as {@link FakeQuant#quantizeVars}; {@code mul} null means 1. Clamps use
   * Math.min/max (branch-free); where they differ from comparisons (the sign of a zero) the
   * quantized value is the same.
   */
  static void affineActQuant(
      Tensor z, Tensor out, float[] mul, float[] add, Activation act, FakeQuant.Nudged n) {
    int c = add.length, rows = z.size() / c;
    FloatBuffer zb = z.buffer(), ob = out.buffer();
    float top = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY,
        bottom = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
    float nmin = n.nudgedMin(), nmax = n.nudgedMax(), s = n.scale(), qz = n.qzero();
    float[] m = mul != null ? mul : ones(c);
    boolean zero = n.zero();
    Parallel.forRange(
        rows,
        Parallel.grain(rows, z.size(), MIN_WORK),
        (r0, r1) -> {
          int step = Math.max(1, BLOCK / c);
          float[] v = new float[step * c];
          for (int r = r0; r < r1; r += step) {
            int len = Math.min(step, r1 - r) * c, base = r * c;
            zb.get(base, v, 0, len);
            for (int i = 0; i < len; i += c) {
              for (int ch = 0; ch < c; ch++) {
                float y = v[i + ch] * m[ch] + add[ch];
                float xc = Math.min(Math.max(Math.min(Math.max(y, bottom), top), nmin), nmax);
                v[i + ch] = (float) Math.floor((xc - nmin) / s - qz + 0.5f) * s;
              }
            }
            if (zero) java.util.Arrays.fill(v, 0, len, 0f);
            ob.put(base, v, 0, len);
          }
        });
  }

  /** c ones: the per-channel multiplier when there is none. */
  static float[] ones(int c) {
    float[] o = new float[c];
    java.util.Arrays.fill(o, 1f);
    return o;
  }

  /**
   * g with the gradient window applied in place on a block: y = z·m + add recomputed exactly as the
   * forward pass did ({@code w} null: g is already masked). Branch-free (the tests are random, so
   * branches would mispredict): each test is the sign bit of a difference, ties included as the
   * comparisons define them; y + 0 turns −0 into +0 so y ≥ +0 holds for y = −0.
   */
  private static void gate(
      float[] vg, float[] vz, int len, int c, float[] m, float[] add, Window w) {
    if (w == null) return;
    float lo = w.lo, hi = w.hi, qlo = w.qlo, qhi = w.qhi;
    for (int i = 0; i < len; i += c) {
      for (int ch = 0; ch < c; ch++) {
        float y = vz[i + ch] * m[ch] + add[ch];
        int pass =
            (Float.floatToRawIntBits(lo - y)
                    & Float.floatToRawIntBits(y - hi)
                    & ~(Float.floatToRawIntBits((y + 0f) - qlo) | Float.floatToRawIntBits(qhi - y)))
                >> 31;
        vg[i + ch] = Float.intBitsToFloat(Float.floatToRawIntBits(vg[i + ch]) & pass);
      }
    }
  }

  /**
   * Per channel Σ g·m and Σ g·m·(z − mean), m = the window's gate on z·mul + add (w null: none):
   * the batch-norm backward reductions (dβ and, divided by the normalizer, dγ).
   */
  static double[][] gradSums(Tensor g, Tensor z, float[] mean, float[] mul, float[] add, Window w) {
    int c = mean.length, rows = g.size() / c, chunks = Parallel.grain(rows, g.size(), MIN_WORK);
    double[][] s1 = new double[chunks][c], s2 = new double[chunks][c];
    FloatBuffer gb = g.buffer(), zb = z.buffer();
    float[] m = mul != null ? mul : ones(c);
    Parallel.forRange(
        rows,
        chunks,
        (r0, r1) -> {
          int k = Parallel.chunkOf(r0, rows, chunks), step = Math.max(1, BLOCK / c);
          float[] vg = new float[step * c],
              vz = new float[step * c],
              f1 = new float[c],
              f2 = new float[c];
          for (int r = r0; r < r1; r += step) {
            int len = Math.min(step, r1 - r) * c, base = r * c;
            gb.get(base, vg, 0, len);
            zb.get(base, vz, 0, len);
            gate(vg, vz, len, c, m, add, w);
            java.util.Arrays.fill(f1, 0f);
            java.util.Arrays.fill(f2, 0f);
            for (int i = 0; i < len; i += c) {
              for (int ch = 0; ch < c; ch++) {
                float x = vg[i + ch];
                f1[ch] += x;
                f2[ch] += x * (vz[i + ch] - mean[ch]);
              }
            }
            for (int ch = 0; ch < c; ch++) {
              s1[k][ch] += f1[ch];
              s2[k][ch] += f2[ch];
            }
          }
        });
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
    int c = mean.length, rows = g.size() / c;
    FloatBuffer gb = g.buffer(), zb = z.buffer(), db = dz.buffer();
    float[] m = mul != null ? mul : ones(c);
    Parallel.forRange(
        rows,
        Parallel.grain(rows, g.size(), MIN_WORK),
        (r0, r1) -> {
          int step = Math.max(1, BLOCK / c);
          float[] vg = new float[step * c], vz = new float[step * c];
          for (int row = r0; row < r1; row += step) {
            int len = Math.min(step, r1 - row) * c, base = row * c;
            gb.get(base, vg, 0, len);
            zb.get(base, vz, 0, len);
            gate(vg, vz, len, c, m, add, w);
            for (int i = 0; i < len; i += c) {
              for (int ch = 0; ch < c; ch++)
                vg[i + ch] = p[ch] * vg[i + ch] + q[ch] * (vz[i + ch] - mean[ch]) + r[ch];
            }
            db.put(base, vg, 0, len);
          }
        });
  }

  /**
   * dz = g·m, m = the window's gate on z + add (w null: none, and z may be null; dz null: sums
   * only); returns the per-channel Σ g·m.
   */
  static double[] maskAndSum(Tensor g, Tensor z, float[] add, Window w, Tensor dz, int c) {
    int rows = g.size() / c, chunks = Parallel.grain(rows, g.size(), MIN_WORK);
    double[][] s1 = new double[chunks][c];
    FloatBuffer gb = g.buffer(),
        zb = w == null ? null : z.buffer(),
        db = dz == null ? null : dz.buffer();
    float[] m = ones(c);
    Parallel.forRange(
        rows,
        chunks,
        (r0, r1) -> {
          int k = Parallel.chunkOf(r0, rows, chunks), step = Math.max(1, BLOCK / c);
          float[] vg = new float[step * c],
              vz = w == null ? null : new float[step * c],
              f1 = new float[c];
          for (int r = r0; r < r1; r += step) {
            int len = Math.min(step, r1 - r) * c, base = r * c;
            gb.get(base, vg, 0, len);
            if (w != null) {
              zb.get(base, vz, 0, len);
              gate(vg, vz, len, c, m, add, w);
            }
            java.util.Arrays.fill(f1, 0f);
            for (int i = 0; i < len; i += c) for (int ch = 0; ch < c; ch++) f1[ch] += vg[i + ch];
            for (int ch = 0; ch < c; ch++) s1[k][ch] += f1[ch];
            if (db != null) db.put(base, vg, 0, len);
          }
        });
    return combine(s1, new double[chunks][c], c)[0];
  }

  private static double[][] combine(double[][] s1, double[][] s2, int c) {
    double[][] out = new double[2][c];
    for (int k = 0; k < s1.length; k++)
      for (int j = 0; j < c; j++) {
        out[0][j] += s1[k][j];
        out[1][j] += s2[k][j];
      }
    return out;
  }
}
