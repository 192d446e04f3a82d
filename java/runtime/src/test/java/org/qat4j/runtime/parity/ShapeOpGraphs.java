package org.qat4j.runtime.parity;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random single-op graphs for the data-movement operators and the reductions SUM and REDUCE_MAX,
 * int8 or uint8 (each graph picks one), with random ranks 1–5, shapes, axes (negative ones too),
 * masks and quantization parameters. SPLIT, SPLIT_V and UNPACK graphs have one graph output per
 * piece, PACK graphs one graph input per value.
 */
final class ShapeOpGraphs {
  private final SplittableRandom r;
  private final LoweredGraphBuilder b;
  private final DType type;
  private String desc;

  private ShapeOpGraphs(OpKind k, SplittableRandom r) {
    this.r = r;
    this.b = new LoweredGraphBuilder(k.name());
    this.type = r.nextBoolean() ? DType.INT8 : DType.UINT8;
    this.desc = type.toString();
  }

  static boolean handles(OpKind k) {
    return switch (k) {
      case TRANSPOSE,
          SLICE,
          STRIDED_SLICE,
          SPLIT,
          SPLIT_V,
          PACK,
          UNPACK,
          TILE,
          GATHER,
          SUM,
          REDUCE_MAX,
          BATCH_MATMUL ->
          true;
      default -> false;
    };
  }

  static OpGraphs.Case create(OpKind k, SplittableRandom r) {
    if (k == OpKind.BATCH_MATMUL) return MatMulGen.create(r);
    return new ShapeOpGraphs(k, r).build(k);
  }

  private QuantParams qp() {
    int zp = r.nextInt(256) - (type == DType.INT8 ? 128 : 0);
    return QuantParams.perTensor(0.005f + 0.1f * (float) r.nextDouble(), zp);
  }

  private int act(String name, int[] shape, QuantParams q) {
    return b.addTensor(TensorSpec.activation(name, shape, type, q));
  }

  private int ints(String name, int... v) {
    return b.addTensor(new TensorSpec(name, new int[] {v.length}, DType.INT32, null, v));
  }

  private int scalar(String name, int v) {
    return b.addTensor(new TensorSpec(name, new int[0], DType.INT32, null, new int[] {v}));
  }

  private int[] shape(int minRank, int maxRank) {
    int[] s = new int[minRank + r.nextInt(maxRank - minRank + 1)];
    for (int d = 0; d < s.length; d++) s[d] = 1 + r.nextInt(4);
    return s;
  }

  private OpGraphs.Case build(OpKind k) {
    int[] s = shape(1, 5);
    QuantParams q = qp();
    int x = act("x", s, q);
    List<Integer> outs = new ArrayList<>();
    int[] ins = {x};
    switch (k) {
      case TRANSPOSE -> outs.add(transpose(x, s, q));
      case SLICE -> outs.add(slice(x, s, q));
      case STRIDED_SLICE -> outs.add(StridedSliceGen.add(b, r, x, s, type, q, this::note));
      case SPLIT, SPLIT_V, UNPACK -> split(k, x, s, q, outs);
      case PACK -> ins = pack(x, s, q, outs);
      case TILE -> outs.add(tile(x, s, q));
      case GATHER -> outs.add(gather(x, s, q));
      case SUM, REDUCE_MAX -> outs.add(reduce(k, x, s, q));
      default -> throw new IllegalArgumentException("no generator for " + k);
    }
    int[] o = outs.stream().mapToInt(Integer::intValue).toArray();
    LoweredGraph g = b.setInputs(ins).setOutputs(o).build();
    return new OpGraphs.Case(g, 0, 0, desc + " in " + Arrays.toString(s), false);
  }

  private void note(String s) {
    desc += " " + s;
  }

  private int transpose(int x, int[] s, QuantParams q) {
    int[] perm = permutation(s.length);
    int[] ys = new int[s.length];
    for (int d = 0; d < s.length; d++) ys[d] = s[perm[d]];
    note("perm " + Arrays.toString(perm));
    int y = act("y", ys, q);
    b.addOp(OpKind.TRANSPOSE, new int[] {x, ints("perm", perm)}, new int[] {y}, null);
    return y;
  }

  private int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1), t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private int slice(int x, int[] s, QuantParams q) {
    int[] begin = new int[s.length], size = new int[s.length], ys = new int[s.length];
    for (int d = 0; d < s.length; d++) {
      begin[d] = r.nextInt(s[d]);
      ys[d] = 1 + r.nextInt(s[d] - begin[d]);
      size[d] = r.nextInt(4) == 0 ? -1 : ys[d];
      if (size[d] == -1) ys[d] = s[d] - begin[d];
    }
    note("begin " + Arrays.toString(begin) + " size " + Arrays.toString(size));
    int y = act("y", ys, q);
    b.addOp(
        OpKind.SLICE, new int[] {x, ints("begin", begin), ints("size", size)}, new int[] {y}, null);
    return y;
  }

  private void split(OpKind k, int x, int[] s, QuantParams q, List<Integer> outs) {
    int axis = r.nextInt(s.length);
    int given = r.nextBoolean() ? axis - s.length : axis;
    int[] sizes;
    if (k == OpKind.UNPACK) {
      sizes = new int[s[axis]];
      Arrays.fill(sizes, 1);
    } else if (k == OpKind.SPLIT) {
      int n = s[axis] % 2 == 0 && r.nextBoolean() ? 2 : s[axis] % 3 == 0 ? 3 : 1;
      sizes = new int[n];
      Arrays.fill(sizes, s[axis] / n);
    } else {
      sizes = cut(s[axis]);
    }
    for (int i = 0; i < sizes.length; i++) {
      int[] ps = s.clone();
      ps[axis] = sizes[i];
      if (k == OpKind.UNPACK) ps = drop(ps, axis);
      outs.add(act("y" + i, ps, q));
    }
    int[] o = outs.stream().mapToInt(Integer::intValue).toArray();
    note("axis " + given + " sizes " + Arrays.toString(sizes));
    switch (k) {
      case SPLIT ->
          b.addOp(k, new int[] {scalar("axis", given), x}, o, new OpOptions.Split(sizes.length));
      case SPLIT_V -> {
        int[] given2 = sizes.clone();
        if (r.nextBoolean()) given2[r.nextInt(given2.length)] = -1;
        int sz = ints("sizes", given2);
        b.addOp(k, new int[] {x, sz, scalar("axis", given)}, o, new OpOptions.SplitV(sizes.length));
      }
      default -> b.addOp(k, new int[] {x}, o, new OpOptions.Unpack(sizes.length, given));
    }
  }

  private int[] cut(int dim) {
    List<Integer> parts = new ArrayList<>();
    int left = dim;
    while (left > 0) {
      int p = 1 + r.nextInt(left);
      parts.add(p);
      left -= p;
    }
    return parts.stream().mapToInt(Integer::intValue).toArray();
  }

  private static int[] drop(int[] s, int axis) {
    int[] out = new int[s.length - 1];
    for (int d = 0, k = 0; d < s.length; d++) if (d != axis) out[k++] = s[d];
    return out;
  }

  private int[] pack(int x, int[] s, QuantParams q, List<Integer> outs) {
    int n = 1 + r.nextInt(3);
    int[] ins = new int[n];
    ins[0] = x;
    for (int i = 1; i < n; i++) ins[i] = act("x" + i, s, q);
    int axis = r.nextInt(s.length + 1), given = r.nextBoolean() ? axis - s.length - 1 : axis;
    int[] ys = new int[s.length + 1];
    for (int d = 0, k = 0; d < ys.length; d++) ys[d] = d == axis ? n : s[k++];
    note("values " + n + " axis " + given);
    int y = act("y", ys, q);
    b.addOp(OpKind.PACK, ins, new int[] {y}, new OpOptions.Pack(n, given));
    outs.add(y);
    return ins;
  }

  private int tile(int x, int[] s, QuantParams q) {
    int[] m = new int[s.length], ys = new int[s.length];
    for (int d = 0; d < s.length; d++) ys[d] = s[d] * (m[d] = 1 + r.nextInt(3));
    note("multiples " + Arrays.toString(m));
    int y = act("y", ys, q);
    b.addOp(OpKind.TILE, new int[] {x, ints("multiples", m)}, new int[] {y}, null);
    return y;
  }

  /**
   * GATHER along a random axis; one graph in two with batch_dims (positions then start with the
   * input's batch dimensions, and half of those name batch_dims from the end), one in three with
   * INT64 positions.
   */
  private int gather(int x, int[] s, QuantParams q) {
    int axis = r.nextInt(s.length), given = r.nextBoolean() ? axis - s.length : axis;
    int batch = r.nextBoolean() ? r.nextInt(axis + 1) : 0;
    int[] extra = shape(batch > 0 ? 0 : 1, 2);
    int[] ps = new int[batch + extra.length];
    System.arraycopy(s, 0, ps, 0, batch);
    System.arraycopy(extra, 0, ps, batch, extra.length);
    int[] pos = new int[Arrays.stream(ps).reduce(1, (a, c) -> a * c)];
    for (int i = 0; i < pos.length; i++) pos[i] = r.nextInt(s[axis]);
    boolean wide = r.nextInt(3) == 0;
    Object data = wide ? Arrays.stream(pos).asLongStream().toArray() : pos;
    int pt =
        b.addTensor(new TensorSpec("positions", ps, wide ? DType.INT64 : DType.INT32, null, data));
    int[] ys = new int[s.length - 1 + extra.length];
    int k = 0;
    for (int d = 0; d < axis; d++) ys[k++] = s[d];
    for (int d : extra) ys[k++] = d;
    for (int d = axis + 1; d < s.length; d++) ys[k++] = s[d];
    int givenBatch = batch > 0 && extra.length > 0 && r.nextBoolean() ? batch - ps.length : batch;
    note(
        "axis "
            + given
            + " batch_dims "
            + givenBatch
            + (wide ? " INT64" : "")
            + " positions "
            + Arrays.toString(ps)
            + " "
            + Arrays.toString(pos));
    int y = act("y", ys, q);
    b.addOp(
        OpKind.GATHER, new int[] {x, pt}, new int[] {y}, new OpOptions.Gather(given, givenBatch));
    return y;
  }

  private int reduce(OpKind k, int x, int[] s, QuantParams q) {
    boolean keep = r.nextBoolean();
    boolean[] red = new boolean[s.length];
    List<Integer> axes = new ArrayList<>();
    for (int d = 0; d < s.length; d++) {
      if (r.nextInt(3) == 0 || (d == s.length - 1 && axes.isEmpty())) {
        red[d] = true;
        axes.add(r.nextBoolean() ? d - s.length : d);
      }
    }
    List<Integer> ys = new ArrayList<>();
    for (int d = 0; d < s.length; d++) if (!red[d] || keep) ys.add(red[d] ? 1 : s[d]);
    boolean same = k == OpKind.REDUCE_MAX || r.nextInt(4) == 0;
    note("axes " + axes + " keep " + keep + (same ? " same params" : ""));
    int y = act("y", ys.stream().mapToInt(Integer::intValue).toArray(), same ? q : qp());
    int at = ints("axes", axes.stream().mapToInt(Integer::intValue).toArray());
    b.addOp(k, new int[] {x, at}, new int[] {y}, new OpOptions.Reducer(keep));
    return y;
  }
}
