package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Elementwise mean of two or more inputs of one shape (Keras Average): the sum, then times 1/n.
 * Lowers as TFLite's converter writes Keras's sum-then-divide: ADD (a chain for n > 2), then MUL by
 * the constant 1/n (the division by a constant becomes a multiplication by its reciprocal).
 */
public final class Average extends Variadic {
  private Tensor y;
  private Tensor[] dx = new Tensor[0];

  public Average(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Average";
  }

  /** y = (x0 + x1 + …) · (1/n) in float32, the sum taken left to right as the ADD chain does. */
  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    checkInputs(in);
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
