package org.qat4j.core.layers;

import com.google.gson.JsonObject;

/**
 * Resizes NHWC images to a fixed [height, width] as Keras's Resizing (no aspect-ratio crop):
 * nearest or bilinear with TensorFlow's half-pixel centres and float32 scale in/out. Lowers to
 * RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR with half-pixel centres; its output keeps its input's
 * quantization (every output is a convex combination of inputs).
 */
public final class Resizing extends ResizeBase {
  private final int height, width;

  /** Output {@code height} × {@code width} (≥ 1), nearest or bilinear. */
  public Resizing(String name, int height, int width, boolean bilinear) {
    super(name, bilinear);
    ConvGeometry.positive(name, "size", height, width);
    this.height = height;
    this.width = width;
  }

  static Resizing fromConfig(String name, JsonObject c) {
    boolean bilinear = bilinear(name, c, "bilinear");
    return new Resizing(
        name, Configs.integer(c, "height", 0), Configs.integer(c, "width", 0), bilinear);
  }

  /** [height, width] of the output. */
  public int[] size() {
    return new int[] {height, width};
  }

  @Override
  public String type() {
    return "Resizing";
  }

  @Override
  int outSize(int axis, int in) {
    return axis == 0 ? height : width;
  }

  @Override
  Resize.Axis axis(int axis, int in) {
    return Resize.Axis.sized(in, outSize(axis, in), bilinear);
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("height", height);
    o.addProperty("width", width);
    return withInterpolation(o);
  }

  @Override
  public Resizing copy() {
    return new Resizing(name(), height, width, bilinear);
  }
}
