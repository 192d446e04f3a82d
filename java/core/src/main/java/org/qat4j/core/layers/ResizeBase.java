package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * What {@link UpSampling2D} and {@link Resizing} share: NHWC images [N, H, W, C] resized along H
 * and W by {@link Resize}, nearest or bilinear; the subclass says the output size and how each
 * output position reads the input.
 */
abstract class ResizeBase extends Layer {
  final boolean bilinear;
  private int[] inShape;
  private Resize.Axis ys, xs;
  private Tensor y;
  private Tensor dx;

  ResizeBase(String name, boolean bilinear) {
    super(name);
    this.bilinear = bilinear;
  }

  /** Output size along spatial axis {@code axis} (0 height, 1 width) of input size {@code in}. */
  abstract int outSize(int axis, int in);

  /** Where the outputs along spatial axis {@code axis} read an input of size {@code in}. */
  abstract Resize.Axis axis(int axis, int in);

  public boolean bilinear() {
    return bilinear;
  }

  /** Keras's "interpolation" of a saved config: true for bilinear, false for nearest. */
  static boolean bilinear(String name, JsonObject c, String dflt) {
    String i = Configs.str(c, "interpolation", dflt);
    if (!i.equals("nearest") && !i.equals("bilinear"))
      throw new IllegalArgumentException(
          "layer '" + name + "': interpolation '" + i + "' (nearest or bilinear)");
    return i.equals("bilinear");
  }

  /** Adds Keras's "interpolation" to {@code o}. */
  final JsonObject withInterpolation(JsonObject o) {
    o.addProperty("interpolation", bilinear ? "bilinear" : "nearest");
    return o;
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = Images.shape(this, single(in));
    return new int[] {outSize(0, s[0]), outSize(1, s[1]), s[2]};
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int[] s = Images.batch(this, x);
    if (!Arrays.equals(s, inShape)) {
      inShape = s;
      ys = axis(0, s[1]);
      xs = axis(1, s[2]);
    }
    y = Tensor.reuse(y, s[0], outSize(0, s[1]), outSize(1, s[2]), s[3]);
    y.buffer().put(0, Resize.forward(x.toArray(), s, ys, xs));
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    dx.buffer().put(0, Resize.backward(g.toArray(), inShape, ys, xs));
    return new Tensor[] {dx};
  }
}
