package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/** The model input: identity with a declared per-sample shape (e.g. H, W, C). */
public final class Input extends Layer {
  private final int[] shape;

  public Input(String name, int... shape) {
    super(name);
    if (shape.length == 0) throw new IllegalArgumentException("input '" + name + "' needs a shape");
    for (int d : shape)
      if (d <= 0)
        throw new IllegalArgumentException("input '" + name + "' has non-positive dimension");
    this.shape = shape.clone();
  }

  static Input fromConfig(String name, JsonObject c) {
    return new Input(name, Configs.ints(c, "shape"));
  }

  @Override
  public String type() {
    return "Input";
  }

  @Override
  public int arity() {
    return 0;
  }

  @Override
  public int[] outputShape(int[]... in) {
    return shape.clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    return in[0];
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    return new Tensor[0];
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("shape", Configs.array(shape));
    return o;
  }

  @Override
  public Input copy() {
    return new Input(name(), shape);
  }
}
