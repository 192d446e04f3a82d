package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Reorders the non-batch axes: output axis i is input axis {@code dims[i]} (1-based, as Keras's
 * Permute; the batch axis stays first). Lowers to TRANSPOSE with permutation [0, dims...].
 */
public final class Permute extends Layer {
  private final int[] dims;
  private int[] inShape;
  private Tensor y;
  private Tensor dx;

  /** {@code dims}: a permutation of 1..rank. */
  public Permute(String name, int... dims) {
    super(name);
    boolean[] seen = new boolean[dims.length + 1];
    for (int d : dims) {
      if (d < 1 || d > dims.length || seen[d])
        throw new IllegalArgumentException(
            "layer '"
                + name
                + "': dims "
                + Arrays.toString(dims)
                + " is not a permutation of 1.."
                + dims.length);
      seen[d] = true;
    }
    this.dims = dims.clone();
  }

  static Permute fromConfig(String name, JsonObject c) {
    return new Permute(name, Configs.ints(c, "dims"));
  }

  /** The 1-based permutation of the non-batch axes. */
  public int[] dims() {
    return dims.clone();
  }

  @Override
  public String type() {
    return "Permute";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != dims.length)
      throw new ShapeException(
          name(), "dims " + Arrays.toString(dims) + " do not fit input " + Arrays.toString(s));
    int[] o = new int[s.length];
    for (int i = 0; i < o.length; i++) o[i] = s[dims[i] - 1];
    return o;
  }

  /** Moves {@code src} (shape {@code from}, batch first) to the axis order {@code perm}. */
  private static float[] move(float[] src, int[] from, int[] perm) {
    int rank = from.length;
    int[] stride = new int[rank];
    for (int d = rank - 1, s = 1; d >= 0; s *= from[d], d--) stride[d] = s;
    int[] to = new int[rank];
    for (int d = 0; d < rank; d++) to[d] = from[perm[d]];
    float[] out = new float[src.length];
    int[] idx = new int[rank];
    for (int i = 0; i < out.length; i++) {
      int off = 0;
      for (int d = 0; d < rank; d++) off += idx[d] * stride[perm[d]];
      out[i] = src[off];
      for (int d = rank - 1; d >= 0 && ++idx[d] == to[d]; d--) idx[d] = 0;
    }
    return out;
  }

  private int[] fullPerm(boolean inverse) {
    int[] p = new int[dims.length + 1];
    for (int i = 0; i < dims.length; i++) {
      if (inverse) p[dims[i]] = i + 1;
      else p[i + 1] = dims[i];
    }
    return p;
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    inShape = x.shape();
    if (inShape.length != dims.length + 1)
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects rank " + (dims.length + 1) + ", got " + x);
    int[] p = fullPerm(false);
    int[] out = new int[inShape.length];
    for (int d = 0; d < out.length; d++) out[d] = inShape[p[d]];
    y = Tensor.reuse(y, out);
    y.buffer().put(0, move(x.toArray(), inShape, p));
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    dx.buffer().put(0, move(g.toArray(), g.shape(), fullPerm(true)));
    return new Tensor[] {dx};
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("dims", Configs.array(dims));
    return o;
  }

  @Override
  public Permute copy() {
    return new Permute(name(), dims);
  }
}
