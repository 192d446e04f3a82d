package org.qat4j.ir.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * STRIDED_SLICE as TFLite 2.20 resolves its slice spec (strided_slice.cc, facts only): new-axis
 * entries (not also ellipsis) add dimensions of 1 to an "effective" input of rank R + new axes (at
 * most 5); an ellipsis entry covers max(1, R + new axes − (n − 1)) dimensions (so an ellipsis that
 * TensorFlow would leave empty covers one, and entries past the effective rank are ignored);
 * dimensions after the last entry are taken whole. Per dimension of size D with stride s ≠ 0: a
 * negative bound counts from D; begin and end are clamped to [0, D] (s > 0) or [-1, D-1] (s < 0); a
 * masked bound takes the whole range; shrink takes one element at begin (refused here unless it
 * lies inside the dimension, where TFLite would read outside the tensor) and drops the dimension.
 * Size max(0, ⌈(end − begin)/s⌉). With offset = true, end counts from the resolved begin (end +
 * begin, then the same negative-index rule and clamp); TFLite then sizes each output dimension as
 * max(0, ⌈end/s⌉) from the raw end entry, indexed by dimension, so the simulator takes offset
 * slices only without ellipsis or new axes, with an entry per dimension, and only where that size
 * is the number of elements copied (elsewhere TFLite leaves output unwritten or writes past it).
 */
final class StridedSliceKernels {
  private StridedSliceKernels() {}

  /** One dimension of the effective input: size, first element, element count, stride, kept. */
  private record Dim(int size, int start, int count, int stride, boolean keep) {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int[] begin = Layout.constInts(op, consts, 1, "begin");
    int[] end = Layout.constInts(op, consts, 2, "end");
    int[] strides = Layout.constInts(op, consts, 3, "strides");
    OpOptions.StridedSlice o = op.options(OpOptions.StridedSlice.class);
    int n = begin.length;
    if (o.offset() && (o.ellipsisMask() != 0 || o.newAxisMask() != 0 || n < x.shape().length))
      throw new IllegalArgumentException(
          "STRIDED_SLICE with offset = true needs an entry per dimension and no ellipsis or new axis");
    if (end.length != n || strides.length != n || n > 32)
      throw new IllegalArgumentException(
          "begin, end and strides have "
              + n
              + ", "
              + end.length
              + ", "
              + strides.length
              + " entries");
    int[] xs = x.shape();
    if (xs.length > 5)
      throw new IllegalArgumentException("TFLite's STRIDED_SLICE takes inputs of rank 1 to 5");
    Dim[] dims = resolve(xs, begin, end, strides, o);
    int[] counts = new int[dims.length], step = new int[dims.length];
    List<Integer> out = new ArrayList<>();
    int[] effStride = Layout.strides(Arrays.stream(dims).mapToInt(Dim::size).toArray());
    int base = 0;
    for (int d = 0; d < dims.length; d++) {
      if (o.offset()) checkOffsetSize(dims[d], end[d], d);
      counts[d] = dims[d].count();
      step[d] = dims[d].stride() * effStride[d];
      base += dims[d].start() * effStride[d];
      if (dims[d].keep()) out.add(dims[d].count());
    }
    Layout.checkOutput(x, y, out.stream().mapToInt(Integer::intValue).toArray(), "STRIDED_SLICE");
    int[] map = Layout.elements(counts) == 0 ? new int[0] : Layout.affineMap(counts, base, step);
    return Layout.gather(op.inputs()[0], op.outputs()[0], map);
  }

  /** The effective dimensions (input dimensions with new axes inserted), each resolved. */
  private static Dim[] resolve(
      int[] xs, int[] begin, int[] end, int[] strides, OpOptions.StridedSlice o) {
    int n = begin.length, rank = xs.length, added = 0;
    for (int i = 0; i < n; i++) if (!bit(o.ellipsisMask(), i) && bit(o.newAxisMask(), i)) added++;
    int eff = rank + added;
    if (eff > 5)
      throw new IllegalArgumentException(
          "TFLite's STRIDED_SLICE supports up to 5 dimensions including new axes, got " + eff);
    boolean[] ell = new boolean[eff], neu = new boolean[eff];
    int[] at = mark(o, eff, added + rank - n, ell, neu);
    int ellStart = at[0], expanded = at[1];
    Dim[] dims = new Dim[eff];
    int addedEll = 0, addedAxes = 0;
    for (int i = 0; i < eff; i++) {
      int src = i - addedAxes;
      if (!neu[i] && (src < 0 || src >= rank))
        throw new IllegalArgumentException(
            "ellipsis/new-axis masks " + o + " do not fit rank " + rank);
      if (ell[i]) {
        addedEll = Math.max(0, i - ellStart);
        dims[i] = new Dim(xs[src], 0, xs[src], 1, true);
      } else if (neu[i]) {
        dims[i] = new Dim(1, 0, 1, 1, true);
        addedAxes++;
      } else if (i >= n + expanded) {
        dims[i] = new Dim(xs[src], 0, xs[src], 1, true);
      } else {
        int k = i - addedEll;
        if (k < 0 || k >= n)
          throw new IllegalArgumentException("masks " + o + " do not fit " + n + " slice entries");
        dims[i] = dim(xs[src], begin[k], end[k], strides[k], o, k, i);
      }
    }
    return dims;
  }

  /**
   * Marks the effective dimensions the ellipsis covers and the new axes; returns {first ellipsis
   * dimension (eff when none), dimensions the ellipsis covers beyond its first}.
   */
  private static int[] mark(
      OpOptions.StridedSlice o, int eff, int spare, boolean[] ell, boolean[] neu) {
    int ellStart = eff, expanded = 0;
    for (int i = 0; i < eff; ) {
      if (bit(o.ellipsisMask(), i)) {
        ellStart = i;
        int stop = Math.max(i + 1, Math.min(i + 1 + spare, eff));
        expanded = stop - i - 1;
        for (; i < stop; i++) ell[i] = true;
        continue;
      }
      neu[i] = i - expanded >= 0 && bit(o.newAxisMask(), i - expanded);
      i++;
    }
    return new int[] {ellStart, expanded};
  }

  private static Dim dim(int size, int b, int e, int s, OpOptions.StridedSlice o, int k, int d) {
    if (s == 0) throw new IllegalArgumentException("stride of entry " + k + " is 0");
    int lo = s > 0 ? 0 : -1, hi = s > 0 ? size : size - 1;
    int start =
        bit(o.beginMask(), k) ? (s > 0 ? 0 : size - 1) : clamp(b < 0 ? (long) b + size : b, lo, hi);
    if (bit(o.shrinkAxisMask(), k)) {
      if (start < 0 || start >= size)
        throw new IllegalArgumentException(
            "shrink entry "
                + k
                + ": begin "
                + b
                + " is outside dimension "
                + d
                + " of size "
                + size);
      return new Dim(size, start, 1, 1, false);
    }
    int last = o.offset() ? e + start : e; // int arithmetic, as in C
    int stop =
        bit(o.endMask(), k)
            ? (s > 0 ? size : -1)
            : clamp(last < 0 ? (long) last + size : last, lo, hi);
    long span = (long) stop - start;
    int count = (int) Math.max(0, s > 0 ? (span + s - 1) / s : (span + s + 1) / s);
    return new Dim(size, start, count, s, true);
  }

  /** An offset slice: TFLite's output size max(0, ⌈end/s⌉) must be the element count copied. */
  private static void checkOffsetSize(Dim dim, int end, int d) {
    if (!dim.keep()) return;
    int sized = Math.max(0, (int) Math.ceil(end / (float) dim.stride()));
    if (sized != dim.count())
      throw new IllegalArgumentException(
          "STRIDED_SLICE offset: TFLite sizes dimension "
              + d
              + " as "
              + sized
              + " but copies "
              + dim.count()
              + " elements");
  }

  private static int clamp(long v, int lo, int hi) {
    return (int) Math.min(Math.max(v, lo), hi);
  }

  private static boolean bit(int mask, int i) {
    return i < 32 && (mask >> i & 1) != 0;
  }
}
