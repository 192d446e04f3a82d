package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * BATCH_MATMUL of lhs [..., M, K] and rhs [..., K, N] (adj_x / adj_y: the last two dimensions of
 * that operand are transposed), ranks 2 to 5, batch dimensions broadcast (size 1 against any),
 * output [..., M, N]; adj_x together with a broadcast batch dimension is refused (TFLite 2.20
 * BUILTIN returns wrong values for it, measured). int8: acc = Σ (l − zp_l)·(r − zp_r), out =
 * clamp(MBQM(acc, M, sh) + zp_out) over the full int8 range (no fused activation), with the
 * multiplier of s_l·s_r/s_out; in DOUBLE mode the final shift rounds as ruy does on x86 (TFLite
 * sends the product through cpu_backend_gemm), as for int8 FULLY_CONNECTED.
 */
final class BatchMatMulKernels {
  private BatchMatMulKernels() {}

  /** Operand geometry: batch offsets of each output batch, and the element steps of rows/depth. */
  private record Plan(int batches, int[] lOff, int[] rOff, int m, int n, int k, int[] step) {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op, RoundingMode mode) {
    TensorSpec l = g.tensor(op.inputs()[0]), r = g.tensor(op.inputs()[1]);
    TensorSpec y = g.tensor(op.outputs()[0]);
    OpOptions.BatchMatMul o = op.options(OpOptions.BatchMatMul.class);
    Plan p = plan(l.shape(), r.shape(), y.shape(), o);
    int li = op.inputs()[0], ri = op.inputs()[1], yi = op.outputs()[0];
    if (!Simulator.isQuantized(l)) {
      return v -> floatProduct((float[]) v[li], (float[]) v[ri], (float[]) v[yi], p);
    }
    if (l.type() != r.type() || l.type() != y.type())
      throw new IllegalArgumentException("BATCH_MATMUL operands and output must share one type");
    QInfo ql = QInfo.of(l), qr = QInfo.of(r), qo = QInfo.of(y);
    double real = (double) ql.scale() * qr.scale() / qo.scale();
    int[] qm = QuantMath.quantizeMultiplier(real, mode == RoundingMode.SINGLE);
    float f = ql.scale() * qr.scale() / qo.scale();
    return v -> {
      int[] lv = (int[]) v[li], rv = (int[]) v[ri], yv = (int[]) v[yi];
      int at = 0;
      for (int b = 0; b < p.batches(); b++)
        for (int i = 0; i < p.m(); i++)
          for (int j = 0; j < p.n(); j++) {
            int acc = 0;
            int lo = p.lOff()[b] + i * p.step()[0], ro = p.rOff()[b] + j * p.step()[2];
            for (int t = 0; t < p.k(); t++)
              acc += (lv[lo + t * p.step()[1]] - ql.zp()) * (rv[ro + t * p.step()[3]] - qr.zp());
            int q =
                switch (mode) {
                  case DOUBLE -> QuantMath.mbqmRuy(acc, qm[0], qm[1]);
                  case SINGLE -> QuantMath.mbqmSingle(acc, qm[0], qm[1]);
                  case XNNPACK_F32 -> QuantMath.mulRintF32(acc, f);
                };
            yv[at++] = QuantMath.clamp(q + qo.zp(), qo.qmin(), qo.qmax());
          }
    };
  }

  private static void floatProduct(float[] lv, float[] rv, float[] yv, Plan p) {
    int at = 0;
    for (int b = 0; b < p.batches(); b++)
      for (int i = 0; i < p.m(); i++)
        for (int j = 0; j < p.n(); j++) {
          float acc = 0f;
          int lo = p.lOff()[b] + i * p.step()[0], ro = p.rOff()[b] + j * p.step()[2];
          for (int t = 0; t < p.k(); t++)
            acc += lv[lo + t * p.step()[1]] * rv[ro + t * p.step()[3]];
          yv[at++] = acc;
        }
  }

  /** Checks ranks, broadcasting and the contracted size; works out every operand offset. */
  private static Plan plan(int[] ls, int[] rs, int[] ys, OpOptions.BatchMatMul o) {
    if (ls.length < 2 || ls.length > 5 || rs.length < 2 || rs.length > 5)
      throw new IllegalArgumentException(
          "BATCH_MATMUL operands need rank 2 to 5, got " + ls.length + " and " + rs.length);
    int rank = Math.max(ls.length, rs.length);
    int[] le = extend(ls, rank), re = extend(rs, rank), out = new int[rank];
    for (int d = 0; d < rank - 2; d++) {
      if (le[d] != re[d] && le[d] != 1 && re[d] != 1)
        throw new IllegalArgumentException(
            "batch dimensions "
                + Arrays.toString(ls)
                + " and "
                + Arrays.toString(rs)
                + " do not broadcast");
      out[d] = le[d] == 1 ? re[d] : le[d];
      // measured: TFLite 2.20 BUILTIN gets these wrong (e.g. lhs [2,2,3] adj_x, rhs [1,2,2]: 12 of
      // 24)
      if (o.adjX() && le[d] != re[d])
        throw new IllegalArgumentException(
            "adj_x with broadcast batch dimensions is not simulated (TFLite 2.20 computes them wrongly)");
    }
    int m = o.adjX() ? le[rank - 1] : le[rank - 2], k = o.adjX() ? le[rank - 2] : le[rank - 1];
    int kr = o.adjY() ? re[rank - 1] : re[rank - 2], n = o.adjY() ? re[rank - 2] : re[rank - 1];
    if (k != kr) throw new IllegalArgumentException("contracted sizes differ: " + k + " and " + kr);
    out[rank - 2] = m;
    out[rank - 1] = n;
    if (!Arrays.equals(out, ys))
      throw new IllegalArgumentException(
          "output shape " + Arrays.toString(ys) + ", expected " + Arrays.toString(out));
    int[] step = {
      o.adjX() ? 1 : le[rank - 1], o.adjX() ? le[rank - 1] : 1, // lhs row, lhs depth
      o.adjY() ? re[rank - 1] : 1, o.adjY() ? 1 : re[rank - 1] // rhs column, rhs depth
    };
    int[][] off = batchOffsets(le, re, Arrays.copyOf(out, rank - 2));
    return new Plan(off[0].length, off[0], off[1], m, n, k, step);
  }

  /** The element offset of each output batch in the left and right operands (broadcast: 0). */
  private static int[][] batchOffsets(int[] le, int[] re, int[] batch) {
    int[] lStride = Layout.strides(le), rStride = Layout.strides(re);
    int batches = Layout.elements(batch);
    int[] lOff = new int[batches], rOff = new int[batches], idx = new int[batch.length];
    for (int b = 0; b < batches; b++) {
      for (int d = 0; d < batch.length; d++) {
        lOff[b] += (le[d] == 1 ? 0 : idx[d]) * lStride[d];
        rOff[b] += (re[d] == 1 ? 0 : idx[d]) * rStride[d];
      }
      Layout.next(idx, batch);
    }
    return new int[][] {lOff, rOff};
  }

  private static int[] extend(int[] s, int rank) {
    int[] e = new int[rank];
    Arrays.fill(e, 1);
    System.arraycopy(s, 0, e, rank - s.length, s.length);
    return e;
  }
}
