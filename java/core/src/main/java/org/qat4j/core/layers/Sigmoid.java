package org.qat4j.core.layers;

/** Logistic sigmoid y = 1/(1 + e^−x), any shape (TFLite LOGISTIC); computed without overflow. */
public final class Sigmoid extends Unary {
  public Sigmoid(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Sigmoid";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      if (v >= 0f) {
        y[i] = (float) (1.0 / (1.0 + Math.exp(-v)));
      } else {
        double e = Math.exp(v);
        y[i] = (float) (e / (1.0 + e));
      }
    }
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] *= y[i] * (1f - y[i]);
  }

  @Override
  public Sigmoid copy() {
    return new Sigmoid(name());
  }
}
