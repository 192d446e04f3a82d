package org.qat4j.core.layers;

/** Hyperbolic tangent y = tanh(x), any shape (TFLite TANH). */
public final class Tanh extends Unary {
  public Tanh(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Tanh";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = (float) Math.tanh(x[i]);
  }

  /** dy/dx = 1 − y². */
  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] *= 1f - y[i] * y[i];
  }

  @Override
  boolean backwardNeedsX() {
    return false;
  }

  @Override
  public Tanh copy() {
    return new Tanh(name());
  }
}
