package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Concatenation of two or more inputs along the last (channel) axis; all other dimensions must
 * match. Output channels are the inputs' channels in input order (TFLite CONCATENATION, axis −1).
 */
public final class Concatenate extends Layer {
  private Tensor y;
  private Tensor[] dx;
  private int[] widths;

  public Concatenate(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Concatenate";
  }

  @Override
  public int arity() {
    return -1;
  }

  @Override
  public int[] outputShape(int[]... in) {
    if (in.length < 2) throw shapeError("expects at least 2 inputs, got " + in.length);
    int[] out = in[0].clone();
    if (out.length == 0) throw shapeError("cannot concatenate scalars");
    for (int i = 1; i < in.length; i++) {
      int[] s = in[i];
      boolean ok =
          s.length == out.length
              && Arrays.equals(Arrays.copyOf(s, s.length - 1), Arrays.copyOf(in[0], s.length - 1));
      if (!ok) {
        throw shapeError(
            "input 0 has shape "
                + Arrays.toString(in[0])
                + " but input "
                + i
                + " has shape "
                + Arrays.toString(s)
                + "; all but the last axis must match");
      }
      out[out.length - 1] += s[s.length - 1];
    }
    return out;
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    int[][] shapes = new int[in.length][];
    for (int i = 0; i < in.length; i++) shapes[i] = Shapes.dropBatch(in[i].shape());
    int[] out = outputShape(shapes);
    int n = in[0].dim(0);
    for (Tensor t : in) {
      if (t.dim(0) != n)
        throw new IllegalArgumentException(
            "layer '" + name() + "': batch sizes differ: " + in[0] + " vs " + t);
    }
    widths = new int[in.length];
    for (int i = 0; i < in.length; i++) widths[i] = in[i].dim(-1);
    y = Tensor.reuse(y, Shapes.withBatch(n, out));
    int total = out[out.length - 1], rows = y.size() / total;
    FloatBuffer yb = y.buffer();
    Parallel.forRange(
        rows,
        (lo, hi) -> {
          for (int r = lo; r < hi; r++) {
            for (int i = 0, off = 0; i < in.length; off += widths[i], i++) {
              yb.put(r * total + off, in[i].buffer(), r * widths[i], widths[i]);
            }
          }
        });
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    int total = g.dim(-1), rows = g.size() / total;
    if (dx == null || dx.length != widths.length) dx = new Tensor[widths.length];
    for (int i = 0; i < widths.length; i++) {
      int[] s = g.shape();
      s[s.length - 1] = widths[i];
      dx[i] = Tensor.reuse(dx[i], s);
    }
    FloatBuffer gb = g.buffer();
    Parallel.forRange(
        rows,
        (lo, hi) -> {
          for (int r = lo; r < hi; r++) {
            for (int i = 0, off = 0; i < widths.length; off += widths[i], i++) {
              dx[i].buffer().put(r * widths[i], gb, r * total + off, widths[i]);
            }
          }
        });
    return dx.clone();
  }

  @Override
  public Concatenate copy() {
    return new Concatenate(name());
  }
}
