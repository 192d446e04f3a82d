package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * The operators that cut one tensor into several (SPLIT, SPLIT_V, UNPACK) or stack several into one
 * (PACK). Each piece is a contiguous range along one axis, copied raw. Counts, sizes and axes are
 * checked here before any value moves: TFLite reads them from options and constant inputs.
 */
final class SplitKernels {
  private SplitKernels() {}

  /** SPLIT: input 0 is the scalar axis, input 1 the value; numSplits equal parts. */
  static Simulator.Kernel split(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] axisArr = Layout.constInts(op, consts, 0, "axis");
    if (axisArr.length != 1) throw new IllegalArgumentException("axis must hold one value");
    TensorSpec x = g.tensor(op.inputs()[1]);
    int n = op.options(OpOptions.Split.class).numSplits();
    int axis = Layout.axis(axisArr[0], x.shape().length, "SPLIT");
    int dim = x.shape()[axis];
    if (n < 1 || dim % n != 0)
      throw new IllegalArgumentException(
          "num_splits " + n + " does not divide dimension " + axis + " of size " + dim);
    int[] sizes = new int[n];
    Arrays.fill(sizes, dim / n);
    return pieces(g, op, op.inputs()[1], axis, sizes, false);
  }

  /** SPLIT_V: input 0 is the value, input 1 the sizes (one may be -1), input 2 the scalar axis. */
  static Simulator.Kernel splitV(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]);
    int[] sizes = Layout.constInts(op, consts, 1, "size_splits").clone();
    int[] axisArr = Layout.constInts(op, consts, 2, "axis");
    if (axisArr.length != 1) throw new IllegalArgumentException("axis must hold one value");
    int axis = Layout.axis(axisArr[0], x.shape().length, "SPLIT_V");
    int n = op.options(OpOptions.SplitV.class).numSplits();
    if (sizes.length != n)
      throw new IllegalArgumentException(
          "size_splits has " + sizes.length + " entries, num_splits is " + n);
    int dim = x.shape()[axis], inferred = -1;
    long sum = 0;
    for (int i = 0; i < n; i++) {
      if (sizes[i] == -1 && inferred < 0) inferred = i;
      else if (sizes[i] < 0)
        throw new IllegalArgumentException(
            "size_splits " + Arrays.toString(sizes) + " has a bad size");
      else sum += sizes[i];
    }
    if (inferred >= 0 && sum <= dim) sizes[inferred] = (int) (dim - sum);
    else if (sum != dim)
      throw new IllegalArgumentException(
          "size_splits "
              + Arrays.toString(sizes)
              + " do not add up to dimension "
              + axis
              + " of size "
              + dim);
    return pieces(g, op, op.inputs()[0], axis, sizes, false);
  }

  /** UNPACK: num outputs, dimension {@code axis} removed. */
  static Simulator.Kernel unpack(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]);
    OpOptions.Unpack o = op.options(OpOptions.Unpack.class);
    int axis = Layout.axis(o.axis(), x.shape().length, "UNPACK");
    if (o.num() != x.shape()[axis])
      throw new IllegalArgumentException(
          "num " + o.num() + " != dimension " + axis + " of size " + x.shape()[axis]);
    int[] sizes = new int[o.num()];
    Arrays.fill(sizes, 1);
    return pieces(g, op, op.inputs()[0], axis, sizes, true);
  }

  /** Output i = the slice [off_i, off_i + sizes[i]) along {@code axis} of tensor {@code xi}. */
  private static Simulator.Kernel pieces(
      LoweredGraph g, OpSpec op, int xi, int axis, int[] sizes, boolean dropAxis) {
    int[] outs = op.outputs();
    if (outs.length != sizes.length)
      throw new IllegalArgumentException(
          op.kind() + " makes " + sizes.length + " pieces but has " + outs.length + " outputs");
    TensorSpec x = g.tensor(xi);
    int[] xs = x.shape(), stride = Layout.strides(xs);
    Simulator.Kernel[] parts = new Simulator.Kernel[outs.length];
    int off = 0;
    for (int i = 0; i < outs.length; i++) {
      int[] ps = xs.clone();
      ps[axis] = sizes[i];
      int[] want = dropAxis ? drop(ps, axis) : ps;
      Layout.checkOutput(x, g.tensor(outs[i]), want, op.kind() + " piece " + i);
      parts[i] = Layout.gather(xi, outs[i], Layout.affineMap(ps, off * stride[axis], stride));
      off += sizes[i];
    }
    return v -> {
      for (Simulator.Kernel k : parts) k.run(v);
    };
  }

  private static int[] drop(int[] s, int axis) {
    int[] r = new int[s.length - 1];
    for (int d = 0, k = 0; d < s.length; d++) if (d != axis) r[k++] = s[d];
    return r;
  }

  /** PACK: valuesCount inputs of one shape stacked along a new dimension {@code axis}. */
  static Simulator.Kernel pack(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    OpOptions.Pack o = op.options(OpOptions.Pack.class);
    if (o.valuesCount() != in.length)
      throw new IllegalArgumentException(
          "values_count " + o.valuesCount() + " != " + in.length + " inputs");
    TensorSpec x0 = g.tensor(in[0]), y = g.tensor(op.outputs()[0]);
    int[] xs = x0.shape();
    int axis = o.axis() < 0 ? o.axis() + xs.length + 1 : o.axis();
    if (axis < 0 || axis > xs.length)
      throw new IllegalArgumentException(
          "axis " + o.axis() + " is out of range for rank " + xs.length);
    for (int i = 1; i < in.length; i++) {
      TensorSpec t = g.tensor(in[i]);
      if (!Arrays.equals(t.shape(), xs) || t.type() != x0.type())
        throw new IllegalArgumentException(
            "input "
                + i
                + " is "
                + t.type()
                + Arrays.toString(t.shape())
                + ", input 0 "
                + x0.type()
                + Arrays.toString(xs));
    }
    int[] ys = new int[xs.length + 1];
    for (int d = 0, k = 0; d < ys.length; d++) ys[d] = d == axis ? in.length : xs[k++];
    Layout.checkOutput(x0, y, ys, "PACK");
    int outer = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= xs[d];
    for (int d = axis; d < xs.length; d++) inner *= xs[d];
    int yi = op.outputs()[0], count = in.length, chunk = inner, rows = outer;
    return v -> {
      for (int r = 0; r < rows; r++)
        for (int i = 0; i < count; i++)
          System.arraycopy(v[in[i]], r * chunk, v[yi], (r * count + i) * chunk, chunk);
    };
  }
}
