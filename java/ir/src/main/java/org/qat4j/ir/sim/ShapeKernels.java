package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * TRANSPOSE, SLICE and TILE: each output element is one input element, copied raw (TFLite moves
 * int8/uint8 bytes without reading their scale). Permutation, begin/size and multiples are constant
 * INT32 inputs, checked here as TFLite's Prepare does (and stricter where TFLite would read out of
 * bounds, e.g. a repeated axis in a permutation).
 */
final class ShapeKernels {
  private ShapeKernels() {}

  static Simulator.Kernel transpose(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int[] perm = Layout.constInts(op, consts, 1, "permutation");
    int[] xs = x.shape();
    if (perm.length != xs.length)
      throw new IllegalArgumentException(
          "permutation "
              + Arrays.toString(perm)
              + " has "
              + perm.length
              + " entries for rank "
              + xs.length);
    boolean[] seen = new boolean[xs.length];
    int[] xStride = Layout.strides(xs), ys = new int[xs.length], step = new int[xs.length];
    for (int d = 0; d < perm.length; d++) {
      int p = perm[d];
      if (p < 0 || p >= xs.length || seen[p])
        throw new IllegalArgumentException(
            "permutation "
                + Arrays.toString(perm)
                + " is not a permutation of 0.."
                + (xs.length - 1));
      seen[p] = true;
      ys[d] = xs[p];
      step[d] = xStride[p];
    }
    Layout.checkOutput(x, y, ys, "TRANSPOSE");
    return Layout.gather(op.inputs()[0], op.outputs()[0], Layout.affineMap(ys, 0, step));
  }

  static Simulator.Kernel slice(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int[] begin = Layout.constInts(op, consts, 1, "begin");
    int[] size = Layout.constInts(op, consts, 2, "size");
    int[] xs = x.shape();
    if (begin.length != xs.length || size.length != xs.length)
      throw new IllegalArgumentException(
          "begin and size need "
              + xs.length
              + " entries, got "
              + begin.length
              + " and "
              + size.length);
    int[] ys = new int[xs.length];
    for (int d = 0; d < xs.length; d++) {
      int s = size[d] == -1 ? xs[d] - begin[d] : size[d];
      if (begin[d] < 0 || s < 0 || (long) begin[d] + s > xs[d])
        throw new IllegalArgumentException(
            "dimension " + d + ": begin " + begin[d] + " size " + size[d] + " exceeds " + xs[d]);
      ys[d] = s;
    }
    Layout.checkOutput(x, y, ys, "SLICE");
    int[] stride = Layout.strides(xs);
    int base = 0;
    for (int d = 0; d < xs.length; d++) base += begin[d] * stride[d];
    return Layout.gather(op.inputs()[0], op.outputs()[0], Layout.affineMap(ys, base, stride));
  }

  static Simulator.Kernel tile(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int[] mult = Layout.constInts(op, consts, 1, "multiples");
    int[] xs = x.shape();
    if (mult.length != xs.length)
      throw new IllegalArgumentException(
          "multiples has " + mult.length + " entries for rank " + xs.length);
    int[] ys = new int[xs.length];
    for (int d = 0; d < xs.length; d++) {
      if (mult[d] < 0)
        throw new IllegalArgumentException(
            "multiple " + mult[d] + " at dimension " + d + " is negative");
      ys[d] = Math.multiplyExact(xs[d], mult[d]);
    }
    Layout.checkOutput(x, y, ys, "TILE");
    int[] stride = Layout.strides(xs);
    int n = Layout.elements(ys);
    int[] map = new int[n], idx = new int[ys.length];
    for (int i = 0; i < n; i++) {
      int o = 0;
      for (int d = 0; d < ys.length; d++) o += (idx[d] % xs[d]) * stride[d];
      map[i] = o;
      Layout.next(idx, ys);
    }
    return Layout.gather(op.inputs()[0], op.outputs()[0], map);
  }
}
