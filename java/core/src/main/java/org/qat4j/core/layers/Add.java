package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/** Elementwise sum of two or more inputs of identical shape (residual connections). */
public final class Add extends Layer {
  private Tensor y;
  private Tensor[] dx = new Tensor[0];

  public Add(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Add";
  }

  @Override
  public int arity() {
    return -1;
  }

  @Override
  public int[] outputShape(int[]... in) {
    if (in.length < 2) throw shapeError("expects at least 2 inputs, got " + in.length);
    for (int i = 1; i < in.length; i++) {
      if (!Arrays.equals(in[0], in[i])) {
        throw shapeError(
            "input 0 has shape "
                + Arrays.toString(in[0])
                + " but input "
                + i
                + " has shape "
                + Arrays.toString(in[i]));
      }
    }
    return in[0].clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    if (in.length < 2)
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects at least 2 inputs, got " + in.length);
    for (int i = 1; i < in.length; i++) {
      if (!in[i].sameShape(in[0].shape())) {
        throw new IllegalArgumentException(
            "layer '" + name() + "': input 0 is " + in[0] + " but input " + i + " is " + in[i]);
      }
    }
    if (dx.length != in.length) dx = new Tensor[in.length];
    y = Tensor.reuse(y, in[0].shape());
    FloatBuffer yb = y.buffer();
    Parallel.forRange(
        y.size(),
        (lo, hi) -> {
          yb.put(lo, in[0].buffer(), lo, hi - lo);
          for (int k = 1; k < in.length; k++) {
            FloatBuffer b = in[k].buffer();
            for (int i = lo; i < hi; i++) yb.put(i, yb.get(i) + b.get(i));
          }
        });
    return y;
  }

  /** Every input receives a private copy of the output gradient (consumers may modify theirs). */
  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    for (int i = 0; i < dx.length; i++) {
      dx[i] = Tensor.reuse(dx[i], g.shape());
      dx[i].copyFrom(g);
    }
    return dx.clone();
  }

  @Override
  public Add copy() {
    return new Add(name());
  }
}
