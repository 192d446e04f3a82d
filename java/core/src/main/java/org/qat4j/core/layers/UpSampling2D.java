package org.qat4j.core.layers;

import com.google.gson.JsonObject;

/**
 * Integer upsampling of NHWC images: [N, H, W, C] → [N, H·fh, W·fw, C], nearest (output row y reads
 * row ⌊y / fh⌋) or bilinear with half-pixel centres as Keras (source (y + ½)/fh − ½, clamped at the
 * border). Lowers to RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR; its output keeps its input's
 * quantization (every output is a convex combination of inputs).
 */
public final class UpSampling2D extends ResizeBase {
  private final int fh, fw;

  /** Factors {@code fh} × {@code fw} (≥ 1), nearest or bilinear. */
  public UpSampling2D(String name, int fh, int fw, boolean bilinear) {
    super(name, bilinear);
    ConvGeometry.positive(name, "size", fh, fw);
    this.fh = fh;
    this.fw = fw;
  }

  static UpSampling2D fromConfig(String name, JsonObject c) {
    int[] s = ConvGeometry.pair(Configs.ints(c, "size"), name, "size");
    return new UpSampling2D(name, s[0], s[1], bilinear(name, c, "nearest"));
  }

  /** [fh, fw]. */
  public int[] size() {
    return new int[] {fh, fw};
  }

  @Override
  public String type() {
    return "UpSampling2D";
  }

  @Override
  int outSize(int axis, int in) {
    return in * (axis == 0 ? fh : fw);
  }

  @Override
  Resize.Axis axis(int axis, int in) {
    return Resize.Axis.factor(in, axis == 0 ? fh : fw, bilinear);
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("size", Configs.array(fh, fw));
    return withInterpolation(o);
  }

  @Override
  public UpSampling2D copy() {
    return new UpSampling2D(name(), fh, fw, bilinear);
  }
}
