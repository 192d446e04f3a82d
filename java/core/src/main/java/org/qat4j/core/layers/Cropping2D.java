package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * Cropping of NHWC images: [N, H, W, C] → [N, H − top − bottom, W − left − right, C], as Keras's
 * Cropping2D. Lowers to STRIDED_SLICE (what TFLite's converter writes for Keras's slicing); its
 * output keeps its input's quantization.
 */
public final class Cropping2D extends Layer {
  private final int top, bottom, left, right;
  private int[] inShape;
  private Tensor y;
  private Tensor dx;

  /** Rows cropped at the top and bottom, columns at the left and right (all ≥ 0). */
  public Cropping2D(String name, int top, int bottom, int left, int right) {
    super(name);
    if (top < 0 || bottom < 0 || left < 0 || right < 0)
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': cropping must be >= 0, got "
              + Arrays.toString(new int[] {top, bottom, left, right}));
    this.top = top;
    this.bottom = bottom;
    this.left = left;
    this.right = right;
  }

  static Cropping2D fromConfig(String name, JsonObject c) {
    int[] p = Configs.ints(c, "cropping");
    if (p.length != 4)
      throw new IllegalArgumentException(
          "layer '"
              + name
              + "': cropping needs [top, bottom, left, right], got "
              + Arrays.toString(p));
    return new Cropping2D(name, p[0], p[1], p[2], p[3]);
  }

  /** [top, bottom, left, right]. */
  public int[] cropping() {
    return new int[] {top, bottom, left, right};
  }

  @Override
  public String type() {
    return "Cropping2D";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = Images.shape(this, single(in));
    int oh = s[0] - top - bottom, ow = s[1] - left - right;
    if (oh < 1 || ow < 1)
      throw shapeError(
          "cropping "
              + Arrays.toString(cropping())
              + " leaves nothing of input "
              + Arrays.toString(s));
    return new int[] {oh, ow, s[2]};
  }

  /** Copies the kept window between the full image {@code big} and the crop {@code small}. */
  private void move(float[] big, float[] small, boolean toSmall) {
    int n = inShape[0], h = inShape[1], w = inShape[2], c = inShape[3];
    int oh = h - top - bottom, ow = w - left - right, row = ow * c;
    for (int b = 0; b < n; b++)
      for (int r = 0; r < oh; r++) {
        int at = ((b * h + r + top) * w + left) * c, to = (b * oh + r) * row;
        if (toSmall) System.arraycopy(big, at, small, to, row);
        else System.arraycopy(small, to, big, at, row);
      }
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int[] s = Images.batch(this, x);
    int[] o = outputShape(new int[] {s[1], s[2], s[3]});
    inShape = s;
    y = Tensor.reuse(y, s[0], o[0], o[1], o[2]);
    float[] out = new float[y.size()];
    move(x.toArray(), out, true);
    y.buffer().put(0, out);
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    float[] d = new float[inShape[0] * inShape[1] * inShape[2] * inShape[3]];
    move(d, g.toArray(), false);
    dx = Tensor.reuse(dx, inShape);
    dx.buffer().put(0, d);
    return new Tensor[] {dx};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("cropping", Configs.array(top, bottom, left, right));
    return o;
  }

  @Override
  public Cropping2D copy() {
    return new Cropping2D(name(), top, bottom, left, right);
  }
}
