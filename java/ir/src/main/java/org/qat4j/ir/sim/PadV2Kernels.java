package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * PADV2 as TFLite's builtin kernel: PAD whose fill is input 2, a constant scalar of the input's
 * type. Quantized, the fill is its stored value, and TFLite requires the input, the output and the
 * fill to share scale and zero point (no requantization).
 */
final class PadV2Kernels {
  private PadV2Kernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] in = op.inputs();
    if (in.length != 3) throw new IllegalArgumentException("needs 3 inputs, got " + in.length);
    if (!(consts[in[1]] instanceof int[] p))
      throw new IllegalArgumentException("needs a constant INT32 paddings input");
    TensorSpec x = g.tensor(in[0]), c = g.tensor(in[2]), y = g.tensor(op.outputs()[0]);
    if (consts[in[2]] == null || c.elements() != 1 || c.type() != x.type() || y.type() != x.type())
      throw new IllegalArgumentException(
          "constant_values must be one constant of the input's type");
    boolean quant = Simulator.isQuantized(x);
    if (quant && !(same(x.quant(), y.quant()) && same(c.quant(), y.quant())))
      throw new IllegalArgumentException("input, output and constant_values need equal params");
    int[] xs = x.shape(), ys = y.shape();
    int rank = xs.length;
    if (p.length != 2 * rank || ys.length != rank)
      throw new IllegalArgumentException("paddings must be [" + rank + ",2]");
    for (int d = 0; d < rank; d++) {
      if (p[2 * d] < 0 || p[2 * d + 1] < 0 || xs[d] + p[2 * d] + p[2 * d + 1] != ys[d])
        throw new IllegalArgumentException("paddings do not produce the output shape at dim " + d);
    }
    int xi = in[0], yi = op.outputs()[0], inner = rank == 0 ? 1 : xs[rank - 1];
    int[] rows = DataKernels.rowOffsets(xs, ys, p);
    Object fill = consts[in[2]];
    return v -> {
      if (quant) Arrays.fill((int[]) v[yi], ((int[]) fill)[0]);
      else Arrays.fill((float[]) v[yi], ((float[]) fill)[0]);
      for (int r = 0; r < rows.length; r++)
        System.arraycopy(v[xi], r * inner, v[yi], rows[r], inner);
    };
  }

  private static boolean same(QuantParams a, QuantParams b) {
    return a != null && b != null && a.scale() == b.scale() && a.zeroPoint() == b.zeroPoint();
  }
}
