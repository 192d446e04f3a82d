package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * GATHER along {@code axis} with INT32 positions (constant or fed at run time): output shape
 * x[:axis] + positions + x[axis+1:], values copied raw. Positions outside [0, x[axis]) are refused
 * (TFLite's Eval returns an error for them); batch_dims other than 0 is not simulated.
 */
final class GatherKernels {
  private GatherKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]), p = g.tensor(op.inputs()[1]);
    TensorSpec y = g.tensor(op.outputs()[0]);
    OpOptions.Gather o = op.options(OpOptions.Gather.class);
    if (o.batchDims() != 0)
      throw new IllegalArgumentException(
          "GATHER with batch_dims " + o.batchDims() + " is not simulated");
    if (p.type() != DType.INT32)
      throw new IllegalArgumentException("GATHER positions must be INT32, got " + p.type());
    int[] xs = x.shape(), ps = p.shape();
    int axis = Layout.axis(o.axis(), xs.length, "GATHER");
    int[] ys = new int[xs.length - 1 + ps.length];
    int k = 0, outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= ys[k++] = xs[d];
    for (int d : ps) ys[k++] = d;
    for (int d = axis + 1; d < xs.length; d++) inner *= ys[k++] = xs[d];
    Layout.checkOutput(x, y, ys, "GATHER");
    int limit = xs[axis], xi = op.inputs()[0], pi = op.inputs()[1], yi = op.outputs()[0];
    int count = p.elements(), rows = outer, chunk = inner;
    int[] fixed = consts[pi] instanceof int[] c ? c : null;
    if (fixed != null) check(fixed, limit);
    return v -> {
      int[] pos = fixed != null ? fixed : check((int[]) v[pi], limit);
      for (int r = 0; r < rows; r++)
        for (int i = 0; i < count; i++)
          System.arraycopy(
              v[xi], (r * limit + pos[i]) * chunk, v[yi], (r * count + i) * chunk, chunk);
    };
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
