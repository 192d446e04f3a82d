package org.qat4j.core.layers;

import com.google.gson.JsonObject;

/**
 * Leaky ReLU y = x for x > 0, α·x otherwise, any shape (TFLite LEAKY_RELU; Keras LeakyReLU and
 * ReLU(negative_slope)). α is a fixed setting, not trained.
 */
public final class LeakyReLU extends Unary {
  private final float alpha;

  public LeakyReLU(String name, float alpha) {
    super(name);
    if (!Float.isFinite(alpha))
      throw new IllegalArgumentException(
          "layer '" + name + "': alpha must be finite, got " + alpha);
    this.alpha = alpha;
  }

  static LeakyReLU fromConfig(String name, JsonObject c) {
    return new LeakyReLU(name, Configs.real(c, "alpha", 0.3f));
  }

  /** The slope below zero. */
  public float alpha() {
    return alpha;
  }

  @Override
  public String type() {
    return "LeakyReLU";
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("alpha", alpha);
    return o;
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = x[i] > 0f ? x[i] : x[i] * alpha;
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] *= x[i] > 0f ? 1f : alpha;
  }

  @Override
  public LeakyReLU copy() {
    return new LeakyReLU(name(), alpha);
  }
}
