package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * Elementwise product of two inputs of identical shape (gating, attention masks); lowers to MUL.
 */
public final class Multiply extends Layer {
  private Tensor a;
  private Tensor b;
  private Tensor y;
  private final Tensor[] dx = new Tensor[2];

  public Multiply(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Multiply";
  }

  @Override
  public int arity() {
    return 2;
  }

  @Override
  public int[] outputShape(int[]... in) {
    if (in.length != 2) throw shapeError("expects 2 inputs, got " + in.length);
    if (!Arrays.equals(in[0], in[1]))
      throw shapeError(
          "input 0 has shape "
              + Arrays.toString(in[0])
              + " but input 1 has shape "
              + Arrays.toString(in[1]));
    return in[0].clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    if (in.length != 2 || !in[1].sameShape(in[0].shape()))
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects 2 inputs of one shape, got " + Arrays.toString(in));
    a = in[0];
    b = in[1];
    y = Tensor.reuse(y, a.shape());
    FloatBuffer ab = a.buffer(), bb = b.buffer(), yb = y.buffer();
    for (int i = 0, n = y.size(); i < n; i++) yb.put(i, ab.get(i) * bb.get(i));
    return y;
  }

  /** d(a·b)/da = b and d(a·b)/db = a, from the inputs of the last forward call. */
  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx[0] = Tensor.reuse(dx[0], g.shape());
    dx[1] = Tensor.reuse(dx[1], g.shape());
    FloatBuffer gb = g.buffer(), ab = a.buffer(), bb = b.buffer();
    FloatBuffer d0 = dx[0].buffer(), d1 = dx[1].buffer();
    for (int i = 0, n = g.size(); i < n; i++) {
      d0.put(i, gb.get(i) * bb.get(i));
      d1.put(i, gb.get(i) * ab.get(i));
    }
    return dx.clone();
  }

  @Override
  public Multiply copy() {
    return new Multiply(name());
  }
}
