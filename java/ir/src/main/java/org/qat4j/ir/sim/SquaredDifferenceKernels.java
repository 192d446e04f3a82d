package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * SQUARED_DIFFERENCE with NumPy broadcasting, as TFLite's builtin kernel. Float32: (a − b)². Int8
 * (TFLite has no uint8 kernel): both inputs, minus their zero points and shifted left by 7, are
 * rescaled by s_i/(2·max(s1, s2)); their difference is squared and rescaled by (2·max(s1,
 * s2))²/(2^14·s_out) (every multiplier quantized in double and applied with double rounding), plus
 * zp_out, clamped to int8.
 */
final class SquaredDifferenceKernels {
  private SquaredDifferenceKernels() {}

  static final int LEFT_SHIFT = 7;

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec a = g.tensor(in[0]), b = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    Broadcast.check(a, b, y);
    int[] ma = Broadcast.map(a, y), mb = Broadcast.map(b, y);
    int ai = in[0], bi = in[1], yi = op.outputs()[0];
    if (y.type() == DType.FLOAT32) {
      return v -> {
        float[] av = (float[]) v[ai], bv = (float[]) v[bi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) {
          float d = av[ma[i]] - bv[mb[i]];
          yv[i] = d * d;
        }
      };
    }
    if (y.type() != DType.INT8 || a.type() != DType.INT8 || b.type() != DType.INT8)
      throw new IllegalArgumentException("quantized SQUARED_DIFFERENCE is int8 only");
    QInfo q1 = QInfo.of(a), q2 = QInfo.of(b), qo = QInfo.of(y);
    double twice = 2.0 * Math.max(q1.scale(), q2.scale());
    Multiplier m1 = mult(q1.scale() / twice), m2 = mult(q2.scale() / twice);
    Multiplier mo = mult(twice * twice / ((1 << 2 * LEFT_SHIFT) * qo.scale()));
    return v -> {
      int[] av = (int[]) v[ai], bv = (int[]) v[bi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) {
        int s1 = m1.apply((av[ma[i]] - q1.zp()) << LEFT_SHIFT, RoundingMode.DOUBLE);
        int s2 = m2.apply((bv[mb[i]] - q2.zp()) << LEFT_SHIFT, RoundingMode.DOUBLE);
        int d = s1 - s2;
        yv[i] = QuantMath.clamp(mo.apply(d * d, RoundingMode.DOUBLE) + qo.zp(), -128, 127);
      }
    };
  }

  private static Multiplier mult(double real) {
    return QuantMath.multiplier(real, RoundingMode.DOUBLE);
  }
}
