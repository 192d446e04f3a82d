package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Zero padding of NHWC images: [N, H, W, C] → [N, top + H + bottom, left + W + right, C] (TFLite
 * PAD).
 */
public final class ZeroPadding2D extends Layer {
  private final int top, bottom, left, right;
  private Tensor y;
  private Tensor dx;
  private int[] inShape;

  public ZeroPadding2D(String name, int top, int bottom, int left, int right) {
    super(name);
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': padding must be >= 0, got "
              + Arrays.toString(new int[] {top, bottom, left, right}));
    }
    this.top = top;
    this.bottom = bottom;
    this.left = left;
    this.right = right;
  }

  static ZeroPadding2D fromConfig(String name, JsonObject c) {
    int[] p = Configs.ints(c, "padding");
    if (p.length != 4)
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': padding needs [top, bottom, left, right], got "
              + Arrays.toString(p));
    return new ZeroPadding2D(name, p[0], p[1], p[2], p[3]);
  }

  /** [top, bottom, left, right]. */
  public int[] padding() {
    return new int[] {top, bottom, left, right};
  }

  @Override
  public String type() {
    return "ZeroPadding2D";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = Images.shape(this, single(in));
    return new int[] {s[0] + top + bottom, s[1] + left + right, s[2]};
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    inShape = Images.batch(this, x);
    int n = inShape[0], h = inShape[1], w = inShape[2], c = inShape[3];
    int oh = h + top + bottom, ow = w + left + right;
    y = Tensor.reuse(y, n, oh, ow, c);
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(
        n,
        (lo, hi) -> {
          Im2Col.zero(yb, lo * oh * ow * c, (hi - lo) * oh * ow * c);
          for (int b = lo; b < hi; b++) {
            for (int r = 0; r < h; r++)
              yb.put(((b * oh + r + top) * ow + left) * c, xb, (b * h + r) * w * c, w * c);
          }
        });
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    int n = inShape[0], h = inShape[1], w = inShape[2], c = inShape[3];
    int oh = h + top + bottom, ow = w + left + right;
    FloatBuffer gb = g.buffer(), db = dx.buffer();
    Parallel.forRange(
        n,
        (lo, hi) -> {
          for (int b = lo; b < hi; b++) {
            for (int r = 0; r < h; r++)
              db.put((b * h + r) * w * c, gb, ((b * oh + r + top) * ow + left) * c, w * c);
          }
        });
    return new Tensor[] {dx};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("padding", Configs.array(top, bottom, left, right));
    return o;
  }

  @Override
  public ZeroPadding2D copy() {
    return new ZeroPadding2D(name(), top, bottom, left, right);
  }
}
