package org.qat4j.core.layers;

/** ReLU6: y = min(max(x, 0), 6), any shape; gradient 1 on (0, 6), else 0. */
public final class ReLU6 extends Unary {
  public ReLU6(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "ReLU6";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = Math.min(Math.max(x[i], 0f), 6f);
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] = y[i] > 0f && y[i] < 6f ? g[i] : 0f;
  }

  @Override
  boolean backwardNeedsX() {
    return false;
  }

  @Override
  public ReLU6 copy() {
    return new ReLU6(name());
  }
}
