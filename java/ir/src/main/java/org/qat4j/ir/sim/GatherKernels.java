package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * GATHER along {@code axis} with INT32 or INT64 positions (constant or fed at run time), values
 * copied raw. With b = batch_dims (negative counts from the positions' rank, as TFLite does; 0 ≤ b
 * ≤ axis, the first b dimensions of input and positions equal) the output shape is x[:axis] +
 * positions[b:] + x[axis+1:], and batch i of the output gathers with batch i of the positions.
 * Positions outside [0, x[axis]) are refused (TFLite's Eval returns an error for them).
 */
final class GatherKernels {
  private GatherKernels() {}

  /** Element counts: batches, rows between batch and axis, positions per batch, row length. */
  private record Geometry(int batches, int rows, int count, int chunk, int limit) {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]), p = g.tensor(op.inputs()[1]);
    TensorSpec y = g.tensor(op.outputs()[0]);
    OpOptions.Gather o = op.options(OpOptions.Gather.class);
    if (p.type() != DType.INT32 && p.type() != DType.INT64)
      throw new IllegalArgumentException(
          "GATHER positions must be INT32 or INT64, got " + p.type());
    int[] xs = x.shape(), ps = p.shape();
    int axis = Layout.axis(o.axis(), xs.length, "GATHER");
    int batch = o.batchDims() < 0 ? o.batchDims() + ps.length : o.batchDims();
    if (batch < 0 || batch > axis || batch > ps.length)
      throw new IllegalArgumentException(
          "GATHER batch_dims "
              + o.batchDims()
              + " with axis "
              + axis
              + " and positions "
              + ps.length
              + "-D");
    int[] ys = new int[xs.length - 1 + ps.length - batch];
    int k = 0, batches = 1, rows = 1, count = 1, chunk = 1;
    for (int d = 0; d < batch; d++) {
      if (xs[d] != ps[d])
        throw new IllegalArgumentException(
            "GATHER batch dimension " + d + ": input " + xs[d] + ", positions " + ps[d]);
      batches *= ys[k++] = xs[d];
    }
    for (int d = batch; d < axis; d++) rows *= ys[k++] = xs[d];
    for (int d = batch; d < ps.length; d++) count *= ys[k++] = ps[d];
    for (int d = axis + 1; d < xs.length; d++) chunk *= ys[k++] = xs[d];
    Layout.checkOutput(x, y, ys, "GATHER");
    Geometry geo = new Geometry(batches, rows, count, chunk, xs[axis]);
    int xi = op.inputs()[0], pi = op.inputs()[1], yi = op.outputs()[0];
    int[] fixed = consts[pi] instanceof int[] c ? check(c, geo.limit()) : null;
    return v -> copy(v[xi], fixed != null ? fixed : check((int[]) v[pi], geo.limit()), v[yi], geo);
  }

  private static void copy(Object x, int[] pos, Object y, Geometry g) {
    int n = g.chunk();
    for (int b = 0; b < g.batches(); b++)
      for (int r = 0; r < g.rows(); r++) {
        int row = b * g.rows() + r;
        for (int i = 0; i < g.count(); i++) {
          int at = pos[b * g.count() + i];
          System.arraycopy(x, (row * g.limit() + at) * n, y, (row * g.count() + i) * n, n);
        }
      }
  }

  private static int[] check(int[] pos, int limit) {
    for (int i = 0; i < pos.length; i++) {
      if (pos[i] < 0 || pos[i] >= limit)
        throw new IllegalArgumentException(
            "GATHER position " + pos[i] + " (index " + i + ") is outside [0, " + limit + ")");
    }
    return pos;
  }
}
