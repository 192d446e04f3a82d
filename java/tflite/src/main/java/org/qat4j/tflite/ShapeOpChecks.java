package org.qat4j.tflite;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.qat4j.ir.OpKind;

/**
 * Parameter checks of the data-movement operators and reductions, before TFLite sees the model:
 * axes inside the rank, permutations that are permutations, slices inside the tensor, split sizes
 * that add up, output counts that match, and constant GATHER positions inside the gathered axis.
 * TFLite refuses most of these itself, but some it reads past (a repeated TRANSPOSE axis, a shrink
 * index outside the dimension, a GATHER position past the end) and a fuzzed model must never reach
 * native code with them. Parameters fed at run time are left to TFLite. TRANSPOSE_CONV's geometry
 * is checked here too: TFLite's optimized kernel trusts it (see {@link #transposeConv}).
 */
final class ShapeOpChecks {
  private final TfliteModelInfo m;
  private final SubgraphInfo s;
  private final OperatorInfo op;
  private final String w;

  private ShapeOpChecks(TfliteModelInfo m, SubgraphInfo s, OperatorInfo op, String w) {
    this.m = m;
    this.s = s;
    this.op = op;
    this.w = w;
  }

  static void check(TfliteModelInfo m, SubgraphInfo s, String sw) {
    for (OperatorInfo op : s.operators()) {
      OpKind k = op.custom() ? null : OpKind.fromBuiltin(op.builtinCode());
      if (k == null) continue;
      new ShapeOpChecks(m, s, op, sw + ", operator " + op.index() + " (" + op.opName() + ")")
          .run(k);
    }
  }

  private void run(OpKind k) {
    switch (k) {
      case TRANSPOSE -> transpose();
      case SLICE -> slice();
      case STRIDED_SLICE -> stridedSlice();
      case SPLIT -> split(rank(1), ints(0), ints(-1), opt("num_splits"));
      case SPLIT_V -> split(rank(0), ints(2), ints(1), opt("num_splits"));
      case PACK -> pack();
      case UNPACK -> unpack();
      case TILE -> tile();
      case GATHER -> gather();
      case MEAN, SUM, REDUCE_MAX -> axes(ints(1), rank(0), "axes");
      case TRANSPOSE_CONV -> transposeConv();
      default -> {}
    }
  }

  private RuntimeException fail(String what) {
    return new ModelFormatException(w, what);
  }

  private int opt(String key) {
    return op.options().get(key) instanceof Integer i ? i : 0;
  }

  private TensorInfo in(int k) {
    int[] ins = op.inputs();
    if (k >= ins.length || ins[k] < 0) throw fail("input " + k + " is missing");
    return s.tensor(ins[k]);
  }

  private int rank(int k) {
    return in(k).shape().length;
  }

  /**
   * The constant INT32/INT64 values of input {@code k}, or null when fed at run time (or k < 0).
   */
  private long[] ints(int k) {
    if (k < 0) return null;
    TensorInfo t = in(k);
    if (!t.constant()) return null;
    int type = t.typeCode();
    if (type != ModelValidator.INT32 && type != ModelValidator.INT64)
      throw fail("input " + k + " is " + t.typeName() + ", expected INT32 or INT64");
    ByteBuffer b = m.tensorData(s.index(), t.index());
    long[] v = new long[(int) t.elements()];
    for (int i = 0; i < v.length; i++)
      v[i] = type == ModelValidator.INT32 ? b.getInt() : b.getLong();
    return v;
  }

  private int axis(long a, int rank, String what) {
    if (a < -rank || a >= rank) throw fail(what + " " + a + " is out of range for rank " + rank);
    return (int) (a < 0 ? a + rank : a);
  }

  private void axes(long[] a, int rank, String what) {
    if (a != null) for (long x : a) axis(x, rank, what);
  }

  /**
   * The declared output shape must be the computed one: TFLite 2.20's SLICE keeps a wrong declared
   * shape and writes past it (a fuzzed [1,1,1] output of a 2M-element slice: SIGSEGV).
   */
  private void output(int[] want) {
    int[] got = s.tensor(op.outputs()[0]).shape();
    if (!Arrays.equals(got, want))
      throw fail("output shape " + Arrays.toString(got) + " should be " + Arrays.toString(want));
  }

  private void transpose() {
    long[] perm = ints(1);
    int[] xs = in(0).shape();
    if (perm == null) return;
    boolean[] seen = new boolean[xs.length];
    if (perm.length != xs.length)
      throw fail("permutation " + Arrays.toString(perm) + " for rank " + xs.length);
    for (long p : perm) {
      if (p < 0 || p >= xs.length || seen[(int) p])
        throw fail(
            "permutation "
                + Arrays.toString(perm)
                + " is not a permutation of 0.."
                + (xs.length - 1));
      seen[(int) p] = true;
    }
    int[] ys = new int[xs.length];
    for (int d = 0; d < xs.length; d++) ys[d] = xs[(int) perm[d]];
    output(ys);
  }

  private void slice() {
    long[] begin = ints(1), size = ints(2);
    int[] xs = in(0).shape();
    if (begin == null || size == null) return;
    if (begin.length != xs.length || size.length != xs.length)
      throw fail(
          "begin and size need "
              + xs.length
              + " entries, got "
              + begin.length
              + " and "
              + size.length);
    int[] ys = new int[xs.length];
    for (int d = 0; d < xs.length; d++) {
      long n = size[d] == -1 ? xs[d] - begin[d] : size[d];
      if (begin[d] < 0 || n < 0 || begin[d] + n > xs[d])
        throw fail(
            "dimension " + d + ": begin " + begin[d] + " size " + size[d] + " exceeds " + xs[d]);
      ys[d] = (int) n;
    }
    output(ys);
  }

  private void stridedSlice() {
    long[] begin = ints(1), end = ints(2), strides = ints(3);
    int[] xs = in(0).shape();
    int n = (int) in(1).elements();
    if (in(2).elements() != n || in(3).elements() != n)
      throw fail("begin, end and strides need equal lengths");
    if (xs.length > 5 || n > 32) throw fail("rank " + xs.length + " with " + n + " slice entries");
    int ell = opt("ellipsis_mask"), neu = opt("new_axis_mask"), shrink = opt("shrink_axis_mask");
    int beyond = n == 32 ? 0 : -1 << n;
    if (Integer.bitCount(ell) > 1 || ((ell | neu | shrink) & beyond) != 0)
      throw fail("masks name entries past the " + n + " slice entries or more than one ellipsis");
    if (strides != null) for (long st : strides) if (st == 0) throw fail("a stride is 0");
    if (Boolean.TRUE.equals(op.options().get("offset"))) offsetSlice(begin, end, strides, xs);
    if (begin == null || strides == null || ell != 0 || neu != 0) return;
    for (int k = 0; k < n && k < xs.length; k++) {
      if ((shrink >> k & 1) == 0 || (opt("begin_mask") >> k & 1) != 0) continue;
      long b = begin[k] < 0 ? begin[k] + xs[k] : begin[k];
      if (b < 0 || b >= xs[k])
        throw fail("shrink entry " + k + ": begin " + begin[k] + " is outside size " + xs[k]);
    }
  }

  /**
   * offset = true: TFLite 2.20 sizes output dimension i as ⌈end[i]/stride⌉ from the raw entry, but
   * copies from the resolved begin to begin + end (clamped, or to the end of the dimension under
   * end_mask), writing as many elements as that range holds: more than it sized is a write past the
   * output, and entries missing for a dimension are read past the end tensor. Offset slices must
   * therefore be constant, name every dimension without ellipsis or new axes, and copy no more than
   * TFLite sizes.
   */
  private void offsetSlice(long[] begin, long[] end, long[] strides, int[] xs) {
    if (begin == null || end == null || strides == null)
      throw fail("offset = true with begin, end or strides fed at run time");
    if (opt("ellipsis_mask") != 0 || opt("new_axis_mask") != 0 || begin.length < xs.length)
      throw fail("offset = true needs an entry per dimension and no ellipsis or new axis");
    for (int d = 0; d < xs.length; d++) {
      if ((opt("shrink_axis_mask") >> d & 1) != 0) continue;
      long st = strides[d], size = xs[d];
      long b = begin[d] < 0 ? begin[d] + size : begin[d];
      b = st > 0 ? Math.min(Math.max(b, 0), size) : Math.min(Math.max(b, -1), size - 1);
      if ((opt("begin_mask") >> d & 1) != 0) b = st > 0 ? 0 : size - 1;
      long e = (int) (end[d] + b); // C int arithmetic
      e = e < 0 ? e + size : e;
      e = st > 0 ? Math.min(Math.max(e, 0), size) : Math.min(Math.max(e, -1), size - 1);
      if ((opt("end_mask") >> d & 1) != 0) e = st > 0 ? size : -1;
      long copied = Math.max(0, st > 0 ? (e - b + st - 1) / st : (e - b + st + 1) / st);
      long sized = Math.max(0, (long) Math.ceil((int) end[d] / (float) st));
      if (copied > sized)
        throw fail(
            "offset slice copies " + copied + " elements into dimension " + d + " sized " + sized);
    }
  }

  private void split(int rank, long[] axis, long[] sizes, int n) {
    if (n < 1 || n != op.outputs().length)
      throw fail("num_splits " + n + " with " + op.outputs().length + " outputs");
    if (axis == null) return;
    if (axis.length != 1) throw fail("axis must hold one value");
    int a = axis(axis[0], rank, "axis");
    int dim = in(op.builtinCode() == OpKind.SPLIT.builtinCode() ? 1 : 0).shape()[a];
    if (sizes == null) {
      if (op.builtinCode() == OpKind.SPLIT.builtinCode() && dim % n != 0)
        throw fail("num_splits " + n + " does not divide dimension " + a + " of size " + dim);
      return;
    }
    long sum = 0;
    int inferred = 0;
    for (long v : sizes) {
      if (v < -1) throw fail("size_splits " + Arrays.toString(sizes) + " has a negative size");
      if (v == -1) inferred++;
      else sum += v;
    }
    if (sizes.length != n || inferred > 1 || (inferred == 0 ? sum != dim : sum > dim))
      throw fail(
          "size_splits "
              + Arrays.toString(sizes)
              + " do not split dimension "
              + a
              + " of size "
              + dim);
  }

  private void pack() {
    int n = opt("values_count");
    int[] ins = op.inputs();
    if (n != ins.length || n < 1)
      throw fail("values_count " + n + " with " + ins.length + " inputs");
    int[] xs = in(0).shape();
    for (int i = 1; i < n; i++)
      if (!Arrays.equals(in(i).shape(), xs))
        throw fail(
            "input "
                + i
                + " has shape "
                + Arrays.toString(in(i).shape())
                + ", input 0 "
                + Arrays.toString(xs));
    axis(opt("axis"), xs.length + 1, "axis");
  }

  private void unpack() {
    int[] xs = in(0).shape();
    int a = axis(opt("axis"), xs.length, "axis");
    int num = opt("num");
    if (num != xs[a] || num != op.outputs().length)
      throw fail(
          "num "
              + num
              + " with dimension "
              + a
              + " of size "
              + xs[a]
              + " and "
              + op.outputs().length
              + " outputs");
  }

  private void tile() {
    long[] mult = ints(1);
    int[] xs = in(0).shape();
    if (mult == null) return;
    if (mult.length != xs.length)
      throw fail("multiples has " + mult.length + " entries for rank " + xs.length);
    long n = 1;
    for (int d = 0; d < xs.length; d++) {
      if (mult[d] < 0) throw fail("multiple " + mult[d] + " at dimension " + d + " is negative");
      n *= Math.max(1, xs[d] * mult[d]);
      if (n > Integer.MAX_VALUE)
        throw fail("multiples " + Arrays.toString(mult) + " overflow the output size");
    }
  }

  private void gather() {
    int[] xs = in(0).shape();
    int a = axis(opt("axis"), xs.length, "axis");
    int batch = opt("batch_dims");
    if (batch < 0) batch += in(1).shape().length; // TFLite counts a negative one from the end
    if (batch < 0 || batch > a || batch > in(1).shape().length)
      throw fail(
          "batch_dims "
              + batch
              + " with axis "
              + a
              + " and positions of rank "
              + in(1).shape().length);
    long[] pos = ints(1);
    if (pos == null) return;
    for (long p : pos)
      if (p < 0 || p >= xs[a])
        throw fail("position " + p + " is outside [0, " + xs[a] + ") of axis " + a);
  }

  /**
   * TRANSPOSE_CONV: TFLite's optimized kernel sizes its GEMM by the data input and reads it back
   * (col2im) with the geometry of the output shape, and matches batch and channels only in debug
   * builds, so any mismatch reads or writes out of bounds. Required here: a constant 4-entry output
   * shape equal to the declared output, rank-4 data and weights [O, kh, kw, I] with I the data's
   * channels and O the output's, equal batches, data H×W equal to the padded convolution of the
   * output, per-axis weights along dimension 0 (TFLite sizes its multipliers by O). A run-time
   * output shape (which TFLite accepts) is refused: its geometry cannot be checked beforehand.
   */
  private void transposeConv() {
    long[] shape = ints(0);
    if (shape == null) throw fail("output shape (input 0) must be constant");
    int[] ws = in(1).shape(), xs = in(2).shape(), ys = s.tensor(op.outputs()[0]).shape();
    if (shape.length != 4 || xs.length != 4 || ws.length != 4)
      throw fail("output shape, data and weights must be 4-D");
    output(positive(shape));
    if (ws[3] != xs[3] || ws[0] != ys[3] || xs[0] != ys[0] || ws[1] < 1 || ws[2] < 1)
      throw fail(
          "weights "
              + Arrays.toString(ws)
              + " do not fit data "
              + Arrays.toString(xs)
              + " and output "
              + Arrays.toString(ys));
    boolean same = "SAME".equals(op.options().get("padding"));
    for (int d = 1; d <= 2; d++) {
      int stride = opt(d == 1 ? "stride_h" : "stride_w");
      long conv = same ? (ys[d] + stride - 1L) / stride : (ys[d] - ws[d] + stride) / stride;
      if (stride < 1 || conv != xs[d])
        throw fail(
            "data "
                + (d == 1 ? "height " : "width ")
                + xs[d]
                + " is not the convolution size "
                + conv
                + " of output size "
                + ys[d]
                + " (stride "
                + stride
                + ")");
    }
    QuantizationInfo q = in(1).quantization();
    if (q != null && q.perAxis() && q.quantizedDimension() != 0)
      throw fail(
          "per-axis weights quantized along dimension " + q.quantizedDimension() + ", not 0");
  }

  private int[] positive(long[] shape) {
    int[] v = new int[shape.length];
    for (int d = 0; d < v.length; d++) {
      if (shape[d] < 1 || shape[d] > Integer.MAX_VALUE)
        throw fail("output shape " + Arrays.toString(shape) + " has a non-positive dimension");
      v[d] = (int) shape[d];
    }
    return v;
  }
}
