package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * Parallel per-channel elementwise loops of the QAT layers over [rows, channels] data (channel
 * fastest), working on blocks copied to heap arrays so the JIT vectorizes them. Reductions are
 * combined in fixed chunk order (deterministic).
 */
final class Elementwise {
  private static final int BLOCK = 8192;

  private Elementwise() {}

  /** dst = act(src·mul[c] + add[c]); mul may be null (= 1). Branch-free clamps. */
  static void affineActivate(Tensor src, Tensor dst, float[] mul, float[] add, Activation act) {
    int c = add.length, rows = src.size() / c;
    FloatBuffer s = src.buffer(), d = dst.buffer();
    float hi = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
    float lo = act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f;
    float[] k = mul != null ? mul : BnFold.ones(c);
    if (VectorApi.on()) {
      vectorAffine(src, dst, k, add, lo, hi);
      return;
    }
    Parallel.forRange(
        rows,
        (r0, r1) -> {
          int step = Math.max(1, BLOCK / c);
          float[] v = new float[step * c];
          for (int r = r0; r < r1; r += step) {
            int len = Math.min(step, r1 - r) * c;
            s.get(r * c, v, 0, len);
            for (int i = 0; i < len; i += c) {
              for (int ch = 0; ch < c; ch++)
                v[i + ch] = Math.min(Math.max(v[i + ch] * k[ch] + add[ch], lo), hi);
            }
            d.put(r * c, v, 0, len);
          }
        });
  }

  /**
   * dst = g where the activated output y is not clamped by {@code act} and {@code mask} (may be
   * null) is 1, else 0.
   */
  static void activationMask(Tensor g, Tensor y, Tensor dst, Activation act, byte[] mask) {
    int n = g.size();
    FloatBuffer gb = g.buffer(), yb = y.buffer(), d = dst.buffer();
    boolean relu6 = act == Activation.RELU6, none = act == Activation.NONE;
    if (VectorApi.on()) {
      vectorMask(g, none ? null : y, dst, relu6 ? 6f : Float.POSITIVE_INFINITY, mask);
      return;
    }
    Parallel.forRange(
        (n + BLOCK - 1) / BLOCK,
        (b0, b1) -> {
          float[] vg = new float[BLOCK], vy = new float[BLOCK];
          for (int b = b0; b < b1; b++) {
            int off = b * BLOCK, len = Math.min(BLOCK, n - off);
            gb.get(off, vg, 0, len);
            if (!none) {
              yb.get(off, vy, 0, len);
              float hi = relu6 ? 6f : Float.POSITIVE_INFINITY;
              for (int i = 0; i < len; i++) {
                // Branch-free gate 0 < y < hi (signs are random, branches would mispredict).
                int pass =
                    (Float.floatToRawIntBits(0f - vy[i]) & Float.floatToRawIntBits(vy[i] - hi))
                        >> 31;
                vg[i] = Float.intBitsToFloat(Float.floatToRawIntBits(vg[i]) & pass);
              }
            }
            if (mask != null) for (int i = 0; i < len; i++) if (mask[off + i] == 0) vg[i] = 0f;
            d.put(off, vg, 0, len);
          }
        });
  }

  /**
   * {@link #affineActivate} on the Vector API: blocks of whole rows on native storage, with the
   * per-channel constants tiled to the block width.
   */
  private static void vectorAffine(
      Tensor src, Tensor dst, float[] mul, float[] add, float lo, float hi) {
    int c = add.length, rows = src.size() / c, step = BnFold.step(c), w = step * c;
    float[] mt = BnFold.tile(mul, w), at = BnFold.tile(add, w);
    ByteBuffer[] v = BnFoldVector.views(src, dst);
    Parallel.forRange(
        rows,
        (r0, r1) -> {
          for (int r = r0; r < r1; r += step)
            ElementwiseVector.affineActivate(
                v[0], v[1], r * c, Math.min(step, r1 - r) * c, mt, at, lo, hi);
        });
  }

  /** {@link #activationMask} on the Vector API, on native storage; y null: no activation gate. */
  private static void vectorMask(Tensor g, Tensor y, Tensor dst, float hi, byte[] mask) {
    int n = g.size();
    ByteBuffer[] v = BnFoldVector.views(g, y, dst);
    Parallel.forRange(
        (n + BLOCK - 1) / BLOCK,
        (b0, b1) -> {
          int off = b0 * BLOCK, len = Math.min(b1 * BLOCK, n) - off;
          ElementwiseVector.activationMask(v[0], v[1], v[2], off, len, y != null, hi, mask);
        });
  }
}
