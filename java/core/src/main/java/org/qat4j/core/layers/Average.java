package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * Elementwise mean of two or more inputs of one shape (Keras Average): the sum, then times 1/n.
 * Lowers as TFLite's converter writes Keras's sum-then-divide: ADD (a chain for n > 2), then MUL by
 * the constant 1/n (the division by a constant becomes a multiplication by its reciprocal).
 */
public final class Average extends Layer {
  private Tensor y;
  private Tensor[] dx = new Tensor[0];

  public Average(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Average";
  }

  @Override
  public int arity() {
    return -1;
  }

  @Override
  public int[] outputShape(int[]... in) {
    if (in.length < 2) throw shapeError("expects at least 2 inputs, got " + in.length);
    for (int i = 1; i < in.length; i++) {
      if (!Arrays.equals(in[0], in[i]))
        throw shapeError(
            "input 0 has shape "
                + Arrays.toString(in[0])
                + " but input "
                + i
                + " has shape "
                + Arrays.toString(in[i]));
    }
    return in[0].clone();
  }

  /** y = (x0 + x1 + …) · (1/n) in float32, the sum taken left to right as the ADD chain does. */
  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    if (in.length < 2)
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects at least 2 inputs, got " + in.length);
    for (int i = 1; i < in.length; i++) {
      if (!in[i].sameShape(in[0].shape()))
        throw new IllegalArgumentException(
            "layer '" + name() + "': input 0 is " + in[0] + " but input " + i + " is " + in[i]);
    }
    if (dx.length != in.length) dx = new Tensor[in.length];
    y = Tensor.reuse(y, in[0].shape());
    FloatBuffer yb = y.buffer();
    float k = 1f / in.length;
    for (int i = 0, n = y.size(); i < n; i++) {
      float s = in[0].buffer().get(i);
      for (int j = 1; j < in.length; j++) s += in[j].buffer().get(i);
      yb.put(i, s * k);
    }
    return y;
  }

  /** Every input receives g/n. */
  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    float k = 1f / dx.length;
    FloatBuffer gb = g.buffer();
    for (int j = 0; j < dx.length; j++) {
      dx[j] = Tensor.reuse(dx[j], g.shape());
      FloatBuffer d = dx[j].buffer();
      for (int i = 0, n = g.size(); i < n; i++) d.put(i, gb.get(i) * k);
    }
    return dx.clone();
  }

  @Override
  public Average copy() {
    return new Average(name());
  }
}
