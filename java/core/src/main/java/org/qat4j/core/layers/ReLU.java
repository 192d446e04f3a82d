package org.qat4j.core.layers;

/** Standalone ReLU: y = max(x, 0), any shape. */
public final class ReLU extends Unary {
  public ReLU(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "ReLU";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = Math.max(x[i], 0f);
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    // Branch-free (signs are random, so a branch mispredicts): y ≥ 0, and y > 0 iff its bits are >
    // 0.
    for (int i = 0; i < n; i++) {
      int mask = -Float.floatToRawIntBits(y[i]) >> 31;
      g[i] = Float.intBitsToFloat(Float.floatToRawIntBits(g[i]) & mask);
    }
  }

  @Override
  boolean backwardNeedsX() {
    return false;
  }

  @Override
  public ReLU copy() {
    return new ReLU(name());
  }
}
