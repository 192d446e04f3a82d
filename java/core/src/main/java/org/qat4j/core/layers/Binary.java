package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * Base of two-input elementwise layers on inputs of one shape (Subtract, Maximum, Minimum): checks
 * the shapes and keeps both inputs of the last forward call for the backward pass.
 */
abstract class Binary extends Layer {
  private Tensor a;
  private Tensor b;
  private Tensor y;
  private final Tensor[] dx = new Tensor[2];

  Binary(String name) {
    super(name);
  }

  /** y[i] = f(a[i], b[i]) for i in [0, n). */
  abstract void forward(FloatBuffer a, FloatBuffer b, FloatBuffer y, int n);

  /** da[i] = g[i]·∂f/∂a and db[i] = g[i]·∂f/∂b at (a[i], b[i]), for i in [0, n). */
  abstract void backward(
      FloatBuffer g, FloatBuffer a, FloatBuffer b, FloatBuffer da, FloatBuffer db, int n);

  @Override
  public final int arity() {
    return 2;
  }

  @Override
  public final int[] outputShape(int[]... in) {
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
  public final Tensor forward(Tensor[] in, ExecContext ctx) {
    if (in.length != 2 || !in[1].sameShape(in[0].shape()))
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects 2 inputs of one shape, got " + Arrays.toString(in));
    a = in[0];
    b = in[1];
    y = Tensor.reuse(y, a.shape());
    forward(a.buffer(), b.buffer(), y.buffer(), y.size());
    return y;
  }

  @Override
  public final Tensor[] backward(Tensor g, ExecContext ctx) {
    dx[0] = Tensor.reuse(dx[0], g.shape());
    dx[1] = Tensor.reuse(dx[1], g.shape());
    backward(g.buffer(), a.buffer(), b.buffer(), dx[0].buffer(), dx[1].buffer(), g.size());
    return dx.clone();
  }
}
