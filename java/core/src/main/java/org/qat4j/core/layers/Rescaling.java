package org.qat4j.core.layers;

import com.google.gson.JsonObject;

/**
 * y = x · scale + offset elementwise, any shape (Keras's Rescaling with scalar scale and offset).
 * Lowers to MUL by the constant scale, then ADD of the offset when it is not 0.
 */
public final class Rescaling extends Unary {
  private final float scale, offset;

  public Rescaling(String name, float scale, float offset) {
    super(name);
    if (!Float.isFinite(scale) || !Float.isFinite(offset))
      throw new IllegalArgumentException(
          "layer '" + name + "': scale " + scale + " and offset " + offset + " must be finite");
    this.scale = scale;
    this.offset = offset;
  }

  static Rescaling fromConfig(String name, JsonObject c) {
    return new Rescaling(name, Configs.real(c, "scale", 1f), Configs.real(c, "offset", 0f));
  }

  public float scale() {
    return scale;
  }

  public float offset() {
    return offset;
  }

  @Override
  public String type() {
    return "Rescaling";
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = x[i] * scale + offset;
  }

  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] *= scale;
  }

  @Override
  boolean backwardNeedsX() {
    return false;
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("scale", scale);
    o.addProperty("offset", offset);
    return o;
  }

  @Override
  public Rescaling copy() {
    return new Rescaling(name(), scale, offset);
  }
}
