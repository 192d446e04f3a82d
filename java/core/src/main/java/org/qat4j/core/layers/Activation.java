package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/** Activation fused into Conv2D, DepthwiseConv2D and Dense (the ones TFLite can fuse). */
public enum Activation {
  NONE,
  RELU,
  RELU6;

  /** Applies the activation in place to {@code n} elements starting at {@code off}. */
  public void apply(FloatBuffer b, int off, int n) {
    if (this == NONE) return;
    float hi = this == RELU6 ? 6f : Float.POSITIVE_INFINITY;
    for (int i = off; i < off + n; i++) {
      float v = b.get(i);
      b.put(i, v < 0f ? 0f : Math.min(v, hi));
    }
  }

  /** Applies the activation in place to {@code a[off, off + n)}. */
  void apply(float[] a, int off, int n) {
    if (this == NONE) return;
    float hi = this == RELU6 ? 6f : Float.POSITIVE_INFINITY;
    for (int i = off; i < off + n; i++) a[i] = a[i] < 0f ? 0f : Math.min(a[i], hi);
  }

  /**
   * Multiplies {@code grad} by the activation derivative evaluated at the activated output {@code
   * y}.
   */
  public void backward(FloatBuffer y, FloatBuffer grad, int n) {
    backward(y, grad, 0, n);
  }

  /** As {@link #backward(FloatBuffer, FloatBuffer, int)} on elements [off, off + n). */
  public void backward(FloatBuffer y, FloatBuffer grad, int off, int n) {
    if (this == NONE) return;
    for (int i = off; i < off + n; i++) {
      float v = y.get(i);
      if (v <= 0f || (this == RELU6 && v >= 6f)) grad.put(i, 0f);
    }
  }

  /**
   * dLoss/dPre-activation: {@code g} itself for NONE, else {@code g} masked into {@code work}
   * (reused when its shape fits) so the caller's gradient is never modified. Parallel.
   */
  Tensor maskedGrad(Tensor y, Tensor g, Tensor work) {
    if (this == NONE) return g;
    Tensor out = Tensor.reuse(work, g.shape());
    FloatBuffer yb = y.buffer(), gb = g.buffer(), ob = out.buffer();
    float hi = this == RELU6 ? 6f : Float.POSITIVE_INFINITY;
    int n = g.size(), block = 8192;
    Parallel.forRange(
        n,
        Parallel.grain(n, n, 1 << 15),
        (lo, up) -> {
          float[] vy = new float[Math.min(block, up - lo)], vg = new float[vy.length];
          for (int o = lo; o < up; o += vy.length) {
            int len = Math.min(vy.length, up - o);
            yb.get(o, vy, 0, len);
            gb.get(o, vg, 0, len);
            for (int i = 0; i < len; i++) {
              float v = vy[i];
              // Branch-free gate (signs are random): 0 < v < hi.
              int mask =
                  (-Float.floatToRawIntBits(v) >> 31) & (Float.floatToRawIntBits(v - hi) >> 31);
              vg[i] = Float.intBitsToFloat(Float.floatToRawIntBits(vg[i]) & mask);
            }
            ob.put(o, vg, 0, len);
          }
        });
    return out;
  }
}
