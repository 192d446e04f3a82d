package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Integer upsampling of NHWC images: [N, H, W, C] → [N, H·fh, W·fw, C], nearest (output row y reads
 * row ⌊y / fh⌋) or bilinear with half-pixel centres as Keras (source (y + ½)/fh − ½, clamped at the
 * border). Lowers to RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR; its output keeps its input's
 * quantization (every output is a convex combination of inputs).
 */
public final class UpSampling2D extends Layer {
  private final int fh, fw;
  private final boolean bilinear;
  private int[] inShape;
  private Resize.Axis ys, xs;
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  /** Factors {@code fh} × {@code fw} (≥ 1), nearest or bilinear. */
  public UpSampling2D(String name, int fh, int fw, boolean bilinear) {
    super(name);
    ConvGeometry.positive(name, "size", fh, fw);
    this.fh = fh;
    this.fw = fw;
    this.bilinear = bilinear;
  }

  static UpSampling2D fromConfig(String name, JsonObject c) {
    int[] s = ConvGeometry.pair(Configs.ints(c, "size"), name, "size");
    String i = Configs.str(c, "interpolation", "nearest");
    if (!i.equals("nearest") && !i.equals("bilinear"))
      throw new IllegalArgumentException(
          "layer '" + name + "': interpolation '" + i + "' (nearest or bilinear)");
    return new UpSampling2D(name, s[0], s[1], i.equals("bilinear"));
  }

  /** [fh, fw]. */
  public int[] size() {
    return new int[] {fh, fw};
  }

  public boolean bilinear() {
    return bilinear;
  }

  @Override
  public String type() {
    return "UpSampling2D";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 3)
      throw new ShapeException(
          name(), "expects an image input [H, W, C], got " + Arrays.toString(s));
    return new int[] {s[0] * fh, s[1] * fw, s[2]};
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    if (x.rank() != 4)
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, H, W, C], got " + x);
    int[] s = x.shape();
    if (!Arrays.equals(s, inShape)) {
      inShape = s;
      ys = Resize.Axis.factor(s[1], fh, bilinear);
      xs = Resize.Axis.factor(s[2], fw, bilinear);
    }
    y = Tensor.reuse(y, s[0], s[1] * fh, s[2] * fw, s[3]);
    float[] out = Resize.forward(x.toArray(), s, ys, xs);
    y.buffer().put(0, out);
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    float[] d = Resize.backward(g.toArray(), inShape, ys, xs);
    dx = Tensor.reuse(dx, inShape);
    dx.buffer().put(0, d);
    return new Tensor[] {dx};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("size", Configs.array(fh, fw));
    o.addProperty("interpolation", bilinear ? "bilinear" : "nearest");
    return o;
  }

  @Override
  public UpSampling2D copy() {
    return new UpSampling2D(name(), fh, fw, bilinear);
  }
}
