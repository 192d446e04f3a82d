package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Resizes NHWC images to a fixed [height, width] as Keras's Resizing (no aspect-ratio crop):
 * nearest or bilinear with TensorFlow's half-pixel centres and float32 scale in/out. Lowers to
 * RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR with half-pixel centres; its output keeps its input's
 * quantization (every output is a convex combination of inputs).
 */
public final class Resizing extends Layer {
  private final int height, width;
  private final boolean bilinear;
  private int[] inShape;
  private Resize.Axis ys, xs;
  private Tensor y;
  private Tensor dx;

  /** Output {@code height} × {@code width} (≥ 1), nearest or bilinear. */
  public Resizing(String name, int height, int width, boolean bilinear) {
    super(name);
    ConvGeometry.positive(name, "size", height, width);
    this.height = height;
    this.width = width;
    this.bilinear = bilinear;
  }

  static Resizing fromConfig(String name, JsonObject c) {
    String i = Configs.str(c, "interpolation", "bilinear");
    if (!i.equals("nearest") && !i.equals("bilinear"))
      throw new IllegalArgumentException(
          "layer '" + name + "': interpolation '" + i + "' (nearest or bilinear)");
    return new Resizing(
        name,
        Configs.integer(c, "height", 0),
        Configs.integer(c, "width", 0),
        i.equals("bilinear"));
  }

  /** [height, width] of the output. */
  public int[] size() {
    return new int[] {height, width};
  }

  public boolean bilinear() {
    return bilinear;
  }

  @Override
  public String type() {
    return "Resizing";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 3)
      throw new ShapeException(
          name(), "expects an image input [H, W, C], got " + Arrays.toString(s));
    return new int[] {height, width, s[2]};
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    if (x.rank() != 4)
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, H, W, C], got " + x);
    int[] s = x.shape();
    if (!Arrays.equals(s, inShape)) {
      inShape = s;
      ys = Resize.Axis.sized(s[1], height, bilinear);
      xs = Resize.Axis.sized(s[2], width, bilinear);
    }
    y = Tensor.reuse(y, s[0], height, width, s[3]);
    y.buffer().put(0, Resize.forward(x.toArray(), s, ys, xs));
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    dx.buffer().put(0, Resize.backward(g.toArray(), inShape, ys, xs));
    return new Tensor[] {dx};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("height", height);
    o.addProperty("width", width);
    o.addProperty("interpolation", bilinear ? "bilinear" : "nearest");
    return o;
  }

  @Override
  public Resizing copy() {
    return new Resizing(name(), height, width, bilinear);
  }
}
