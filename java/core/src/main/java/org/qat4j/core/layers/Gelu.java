package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import org.qat4j.ir.arith.GeluMath;

/**
 * Gaussian error linear unit, any shape (TFLite GELU; Keras Activation('gelu') and
 * keras.activations.gelu): y = x·Φ(x) with the erf form, or its tanh approximation when {@code
 * approximate}. The forward pass is TFLite's float32 function ({@link GeluMath}).
 */
public final class Gelu extends Unary {
  private final boolean approximate;

  public Gelu(String name, boolean approximate) {
    super(name);
    this.approximate = approximate;
  }

  static Gelu fromConfig(String name, JsonObject c) {
    return new Gelu(name, Configs.bool(c, "approximate", false));
  }

  /** Whether the tanh approximation is used instead of erf. */
  public boolean approximate() {
    return approximate;
  }

  @Override
  public String type() {
    return "Gelu";
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("approximate", approximate);
    return o;
  }

  @Override
  void forward(float[] x, float[] y, int n) {
    for (int i = 0; i < n; i++) y[i] = GeluMath.of(x[i], approximate);
  }

  /** dy/dx = Φ(x) + x·φ(x) (erf form) or the derivative of the tanh form. */
  @Override
  void backward(float[] x, float[] y, float[] g, int n) {
    for (int i = 0; i < n; i++) g[i] *= (float) GeluMath.derivative(x[i], approximate);
  }

  @Override
  public Gelu copy() {
    return new Gelu(name(), approximate);
  }
}
