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
  /** Elements per heap block. */
  private static final int BLOCK = 8192;

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
    Parallel.forRange(rows, (lo, hi) -> interleave(in, yb, total, lo, hi, true));
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
    Tensor[] parts = dx;
    FloatBuffer gb = g.buffer();
    Parallel.forRange(rows, (lo, hi) -> interleave(parts, gb, total, lo, hi, false));
    return dx.clone();
  }

  /**
   * Rows [lo, hi) of the concatenation {@code whole} (row width {@code total}) from the parts
   * ({@code join}) or back to them; through heap blocks, so that every copy is a bulk one.
   */
  private void interleave(
      Tensor[] parts, FloatBuffer whole, int total, int lo, int hi, boolean join) {
    int block = Math.max(1, Math.min(hi - lo, BLOCK / total));
    float[] w = new float[block * total], p = new float[w.length];
    for (int r0 = lo; r0 < hi; r0 += block) {
      int nr = Math.min(block, hi - r0);
      if (!join) whole.get(r0 * total, w, 0, nr * total);
      for (int i = 0, off = 0; i < parts.length; off += widths[i], i++) {
        int wi = widths[i];
        if (join) parts[i].buffer().get(r0 * wi, p, 0, nr * wi);
        for (int r = 0; r < nr; r++) {
          if (join) System.arraycopy(p, r * wi, w, r * total + off, wi);
          else System.arraycopy(w, r * total + off, p, r * wi, wi);
        }
        if (!join) parts[i].buffer().put(r0 * wi, p, 0, nr * wi);
      }
      if (join) whole.put(r0 * total, w, 0, nr * total);
    }
  }

  @Override
  public Concatenate copy() {
    return new Concatenate(name());
  }
}
