package org.qat4j.runtime.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random STRIDED_SLICE operators: bounds beyond the dimension and negative, strides ±1/±2,
 * begin/end masks, shrink entries, and (one graph in three) an ellipsis entry or new-axis entries.
 * The output shape is worked out here with TensorFlow's documented slice rules; TFLite recomputes
 * it on the written model, so a disagreement shows up as a length mismatch.
 */
final class StridedSliceGen {
  private StridedSliceGen() {}

  static int add(
      LoweredGraphBuilder b,
      SplittableRandom r,
      int x,
      int[] s,
      DType type,
      QuantParams q,
      Consumer<String> note) {
    if (r.nextInt(4) == 0) return offset(b, r, x, s, type, q, note);
    int rank = s.length;
    boolean ellipsis = r.nextInt(3) == 0;
    // an ellipsis covers at least one dimension here: TFLite widens an empty one to one dimension
    // and drops the entries that no longer fit (StridedSliceKernels follows it; TensorFlow does
    // not)
    int before = ellipsis ? r.nextInt(rank) : 1 + r.nextInt(rank);
    int after = ellipsis ? r.nextInt(rank - before) : 0;
    List<int[]> entries = new ArrayList<>(); // {begin, end, stride}
    List<Integer> out = new ArrayList<>();
    int[] m = new int[5]; // begin, end, ellipsis, new_axis, shrink masks
    for (int d = 0; d < before; d++) {
      if (!ellipsis && rank + Integer.bitCount(m[3]) < 5 && r.nextInt(6) == 0) {
        m[3] |= 1 << entries.size();
        entries.add(new int[] {0, 1, 1});
        out.add(1);
      }
      entry(r, s[d], entries, out, m);
    }
    if (ellipsis) {
      m[2] |= 1 << entries.size();
      entries.add(new int[] {0, 0, 1});
      for (int d = before; d < rank - after; d++) out.add(s[d]);
    }
    for (int d = rank - after; d < rank; d++) entry(r, s[d], entries, out, m);
    if (!ellipsis) for (int d = before; d < rank; d++) out.add(s[d]);
    return write(b, x, type, q, entries, out, m, false, note);
  }

  /**
   * offset = true: one entry per dimension, end counting from the resolved begin (shrink, begin
   * mask, strides ±1/±2), kept inside the dimension, where TFLite's output size ⌈end/stride⌉ is the
   * number of elements it copies.
   */
  private static int offset(
      LoweredGraphBuilder b,
      SplittableRandom r,
      int x,
      int[] s,
      DType type,
      QuantParams q,
      Consumer<String> note) {
    List<int[]> entries = new ArrayList<>();
    List<Integer> out = new ArrayList<>();
    int[] m = new int[5];
    for (int d = 0; d < s.length; d++) {
      int bg = r.nextInt(2 * s[d]) - s[d], start = bg < 0 ? bg + s[d] : bg;
      if (r.nextInt(5) == 0) {
        m[4] |= 1 << d;
        entries.add(new int[] {bg, 1, 1});
        continue;
      }
      int st = (r.nextBoolean() ? 1 : 2) * (r.nextInt(3) == 0 && start > 0 ? -1 : 1);
      if (r.nextInt(5) == 0) {
        m[0] |= 1 << d;
        start = st > 0 ? 0 : s[d] - 1;
      }
      int e = st > 0 ? 1 + r.nextInt(s[d] - start) : -1 - r.nextInt(start);
      entries.add(new int[] {bg, e, st});
      out.add((int) Math.ceil(e / (double) st));
    }
    return write(b, x, type, q, entries, out, m, true, note);
  }

  private static int write(
      LoweredGraphBuilder b,
      int x,
      DType type,
      QuantParams q,
      List<int[]> entries,
      List<Integer> out,
      int[] m,
      boolean offset,
      Consumer<String> note) {
    int n = entries.size();
    int[] bs = new int[n], es = new int[n], ss = new int[n];
    for (int i = 0; i < n; i++) {
      bs[i] = entries.get(i)[0];
      es[i] = entries.get(i)[1];
      ss[i] = entries.get(i)[2];
    }
    OpOptions.StridedSlice o = new OpOptions.StridedSlice(m[0], m[1], m[2], m[3], m[4], offset);
    note.accept(
        Arrays.toString(bs) + ":" + Arrays.toString(es) + ":" + Arrays.toString(ss) + " " + o);
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", out.stream().mapToInt(Integer::intValue).toArray(), type, q));
    int bt = b.addTensor(new TensorSpec("begin", new int[] {n}, DType.INT32, null, bs));
    int et = b.addTensor(new TensorSpec("end", new int[] {n}, DType.INT32, null, es));
    int st = b.addTensor(new TensorSpec("strides", new int[] {n}, DType.INT32, null, ss));
    b.addOp(OpKind.STRIDED_SLICE, new int[] {x, bt, et, st}, new int[] {y}, o);
    return y;
  }

  /** Adds one entry for a dimension of size d: a shrink, or a range with random bounds/masks. */
  private static void entry(
      SplittableRandom r, int d, List<int[]> entries, List<Integer> out, int[] m) {
    int e = entries.size();
    if (r.nextInt(4) == 0) {
      m[4] |= 1 << e;
      int bg = r.nextInt(2 * d) - d;
      entries.add(new int[] {bg, bg + 1, 1});
      return;
    }
    int st, bg, en, n;
    boolean mb, me;
    do { // empty outputs have no data to read back: draw until the range is not empty
      st = (r.nextBoolean() ? 1 : 2) * (r.nextInt(3) == 0 ? -1 : 1);
      bg = r.nextInt(2 * d + 3) - d - 1;
      en = r.nextInt(2 * d + 3) - d - 1;
      mb = r.nextInt(4) == 0;
      me = r.nextInt(4) == 0;
      n = size(d, bg, en, st, mb, me);
    } while (n == 0);
    if (mb) m[0] |= 1 << e;
    if (me) m[1] |= 1 << e;
    entries.add(new int[] {bg, en, st});
    out.add(n);
  }

  /** Elements of one dimension of size d (TensorFlow's clamping, ⌈(stop − start)/stride⌉ ≥ 0). */
  private static int size(int d, int bg, int en, int st, boolean maskB, boolean maskE) {
    int lo = st > 0 ? 0 : -1, hi = st > 0 ? d : d - 1;
    int start = maskB ? (st > 0 ? lo : hi) : Math.min(Math.max(bg < 0 ? bg + d : bg, lo), hi);
    int stop = maskE ? (st > 0 ? hi : lo) : Math.min(Math.max(en < 0 ? en + d : en, lo), hi);
    return Math.max(0, (int) Math.ceil((stop - start) / (double) st));
  }
}
