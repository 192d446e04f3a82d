package org.qat4j.runtime.parity;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random int8 BATCH_MATMUL graphs: ranks 2–4, batch dimensions that broadcast (1 against n; not
 * with adj_x, which TFLite 2.20 gets wrong), adj_x and adj_y at random, the right operand a second
 * graph input or a constant, random zero points on all three tensors and an output scale that keeps
 * most products in range.
 */
final class MatMulGen {
  private MatMulGen() {}

  static OpGraphs.Case create(SplittableRandom r) {
    LoweredGraphBuilder b = new LoweredGraphBuilder("BATCH_MATMUL");
    int rank = 2 + r.nextInt(3), m = 1 + r.nextInt(6), k = 1 + r.nextInt(8), n = 1 + r.nextInt(6);
    boolean adjX = r.nextBoolean(), adjY = r.nextBoolean(), constRhs = r.nextBoolean();
    int[][] sh = shapes(r, rank, new int[] {m, k, n}, adjX, adjY);
    int[] ls = sh[0], rs = sh[1], ys = sh[2];
    QuantParams ql = qp(r), qr = qp(r);
    float so =
        (float) (ql.scale() * qr.scale() * 40 * 40 * Math.sqrt(k) * (0.5 + r.nextDouble()) / 60);
    int x = b.addTensor(TensorSpec.activation("lhs", ls, DType.INT8, ql));
    int w;
    if (constRhs) {
      byte[] v = new byte[Arrays.stream(rs).reduce(1, (a, c) -> a * c)];
      r.nextBytes(v);
      w = b.addTensor(new TensorSpec("rhs", rs, DType.INT8, qr, v));
    } else {
      w = b.addTensor(TensorSpec.activation("rhs", rs, DType.INT8, qr));
    }
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", ys, DType.INT8, QuantParams.perTensor(so, r.nextInt(256) - 128)));
    b.addOp(
        OpKind.BATCH_MATMUL,
        new int[] {x, w},
        new int[] {y},
        new OpOptions.BatchMatMul(adjX, adjY));
    LoweredGraph g = b.setInputs(constRhs ? new int[] {x} : new int[] {x, w}).setOutputs(y).build();
    String desc =
        "lhs "
            + Arrays.toString(ls)
            + " rhs "
            + Arrays.toString(rs)
            + (constRhs ? " const" : "")
            + " adj "
            + adjX
            + "/"
            + adjY;
    return new OpGraphs.Case(g, 0, 0, desc, false);
  }

  /** Operand and output shapes, batch dimensions broadcasting at random. */
  private static int[][] shapes(
      SplittableRandom r, int rank, int[] mkn, boolean adjX, boolean adjY) {
    int m = mkn[0], k = mkn[1], n = mkn[2];
    int[] ls = new int[rank], rs = new int[rank], ys = new int[rank];
    for (int d = 0; d < rank - 2; d++) {
      int size = 1 + r.nextInt(3), pick = adjX ? 0 : r.nextInt(3);
      ls[d] = pick == 1 ? 1 : size;
      rs[d] = pick == 2 ? 1 : size;
      ys[d] = size;
    }
    ls[rank - 2] = adjX ? k : m;
    ls[rank - 1] = adjX ? m : k;
    rs[rank - 2] = adjY ? n : k;
    rs[rank - 1] = adjY ? k : n;
    ys[rank - 2] = m;
    ys[rank - 1] = n;
    return new int[][] {ls, rs, ys};
  }

  private static QuantParams qp(SplittableRandom r) {
    return QuantParams.perTensor(0.005f + 0.1f * (float) r.nextDouble(), r.nextInt(256) - 128);
  }
}
