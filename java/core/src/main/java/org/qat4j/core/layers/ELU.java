package org.qat4j.core.layers;

/**
 * Exponential linear unit with α = 1, any shape (TFLite ELU, Keras ELU/Activation('elu')): y = x
 * for x > 0, e^x − 1 otherwise.
 */
public final class ELU extends Unary {
  public ELU(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "ELU";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = x[i] > 0f ? x[i] : (float) Math.expm1(x[i]);
  }

  /** dy/dx = 1 for x > 0, e^x = y + 1 otherwise. */
  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] *= x[i] > 0f ? 1f : y[i] + 1f;
  }

  @Override
  public ELU copy() {
    return new ELU(name());
  }
}
