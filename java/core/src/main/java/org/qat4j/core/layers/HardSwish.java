package org.qat4j.core.layers;

/** Hard swish (MobileNetV3, TFLite HARD_SWISH): y = x·relu6(x + 3)/6, any shape. */
public final class HardSwish extends Unary {
  public HardSwish(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "HardSwish";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = x[i] * Math.min(Math.max(x[i] + 3f, 0f), 6f) * (1f / 6f);
  }

  /** dy/dx = 0 below −3, 1 above 3, (2x + 3)/6 between. */
  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) {
      float v = x[i];
      g[i] *= v <= -3f ? 0f : v >= 3f ? 1f : (2f * v + 3f) * (1f / 6f);
    }
  }

  @Override
  public HardSwish copy() {
    return new HardSwish(name());
  }
}
