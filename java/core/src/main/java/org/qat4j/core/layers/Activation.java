package org.qat4j.core.layers;

import java.nio.FloatBuffer;

/** Activation fused into Conv2D, DepthwiseConv2D and Dense (the ones TFLite can fuse). */
public enum Activation {
  NONE, RELU, RELU6;

  /** Applies the activation in place to {@code n} elements starting at {@code off}. */
  public void apply(FloatBuffer b, int off, int n) {
    if (this == NONE) return;
    float hi = this == RELU6 ? 6f : Float.POSITIVE_INFINITY;
    for (int i = off; i < off + n; i++) {
      float v = b.get(i);
      b.put(i, v < 0f ? 0f : Math.min(v, hi));
    }
  }

  /** Multiplies {@code grad} by the activation derivative evaluated at the activated output {@code y}. */
  public void backward(FloatBuffer y, FloatBuffer grad, int n) {
    if (this == NONE) return;
    for (int i = 0; i < n; i++) {
      float v = y.get(i);
      if (v <= 0f || (this == RELU6 && v >= 6f)) grad.put(i, 0f);
    }
  }
}
