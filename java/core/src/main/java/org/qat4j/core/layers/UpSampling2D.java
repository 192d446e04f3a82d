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
  private Axis ys, xs;
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  /** Per output index: the two source indices and the weight of the second. */
  private record Axis(int[] lo, int[] hi, float[] w) {
    static Axis of(int in, int f, boolean bilinear) {
      int n = in * f;
      int[] lo = new int[n], hi = new int[n];
      float[] w = new float[n];
      for (int o = 0; o < n; o++) {
        if (!bilinear) {
          lo[o] = hi[o] = o / f;
          continue;
        }
        float s = (o + 0.5f) / f - 0.5f;
        float fl = (float) Math.floor(s);
        lo[o] = Math.max((int) fl, 0);
        hi[o] = Math.min((int) Math.ceil(s), in - 1);
        w[o] = s - fl;
      }
      return new Axis(lo, hi, w);
    }
  }

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
      ys = Axis.of(s[1], fh, bilinear);
      xs = Axis.of(s[2], fw, bilinear);
    }
    int n = s[0], h = s[1], w = s[2], c = s[3], oh = h * fh, ow = w * fw;
    y = Tensor.reuse(y, n, oh, ow, c);
    float[] xv = x.toArray(), out = new float[n * oh * ow * c];
    for (int b = 0; b < n; b++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < c; ch++) {
            int r0 = (b * h + ys.lo[oy]) * w, r1 = (b * h + ys.hi[oy]) * w;
            float tl = xv[(r0 + xs.lo[ox]) * c + ch], tr = xv[(r0 + xs.hi[ox]) * c + ch];
            float bl = xv[(r1 + xs.lo[ox]) * c + ch], br = xv[(r1 + xs.hi[ox]) * c + ch];
            float top = tl + (tr - tl) * xs.w[ox], bottom = bl + (br - bl) * xs.w[ox];
            out[((b * oh + oy) * ow + ox) * c + ch] = top + (bottom - top) * ys.w[oy];
          }
    y.buffer().put(0, out);
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    int n = inShape[0], h = inShape[1], w = inShape[2], c = inShape[3], oh = h * fh, ow = w * fw;
    float[] gv = g.toArray(), d = new float[n * h * w * c];
    for (int b = 0; b < n; b++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < c; ch++) {
            float v = gv[((b * oh + oy) * ow + ox) * c + ch], wy = ys.w[oy], wx = xs.w[ox];
            int r0 = (b * h + ys.lo[oy]) * w, r1 = (b * h + ys.hi[oy]) * w;
            d[(r0 + xs.lo[ox]) * c + ch] += v * (1 - wy) * (1 - wx);
            d[(r0 + xs.hi[ox]) * c + ch] += v * (1 - wy) * wx;
            d[(r1 + xs.lo[ox]) * c + ch] += v * wy * (1 - wx);
            d[(r1 + xs.hi[ox]) * c + ch] += v * wy * wx;
          }
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
