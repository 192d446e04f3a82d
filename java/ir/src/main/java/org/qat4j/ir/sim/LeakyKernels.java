package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * LEAKY_RELU and PRELU as TFLite's builtin kernels. Quantized (INT8/UINT8): with d = q − zp_in, out
 * = clamp(zp_out + MBQM(d, M_identity)) for d ≥ 0 and clamp(zp_out + MBQM(d·a, M_alpha)) otherwise,
 * where M_identity = s_in/s_out and M_alpha = s_in·α/s_out (LEAKY_RELU, a = 1) or s_in·s_α/s_out
 * with a = α_q − zp_α (PRELU, α broadcast to the input); both real multipliers are computed in
 * float32 and quantized in double, as TFLite's Prepare does.
 */
final class LeakyKernels {
  private LeakyKernels() {}

  static Simulator.Kernel leakyRelu(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    sameShape(x, y);
    float alpha = op.options(OpOptions.LeakyRelu.class).alpha();
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = xv[i] > 0 ? xv[i] : xv[i] * alpha;
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    Multiplier id = mult(qi.scale() / qo.scale()), al = mult(qi.scale() * alpha / qo.scale());
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) {
        int d = xv[i] - qi.zp();
        int r = d >= 0 ? id.apply(d, RoundingMode.DOUBLE) : al.apply(d, RoundingMode.DOUBLE);
        yv[i] = QuantMath.clamp(r + qo.zp(), qo.qmin(), qo.qmax());
      }
    };
  }

  static Simulator.Kernel prelu(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec x = g.tensor(in[0]), a = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    sameShape(x, y);
    if (a.type() != x.type())
      throw new IllegalArgumentException("alpha must have the input's type");
    Broadcast.check(x, a, y);
    int[] ma = Broadcast.map(a, y);
    int xi = in[0], ai = in[1], yi = op.outputs()[0];
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], av = (float[]) v[ai], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = xv[i] >= 0 ? xv[i] : xv[i] * av[ma[i]];
      };
    }
    QInfo qi = QInfo.of(x), qa = QInfo.of(a), qo = QInfo.of(y);
    Multiplier m1 = mult(qi.scale() / qo.scale());
    Multiplier m2 = mult(qi.scale() * qa.scale() / qo.scale());
    return v -> {
      int[] xv = (int[]) v[xi], av = (int[]) v[ai], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) {
        int d = xv[i] - qi.zp();
        int r =
            d >= 0
                ? m1.apply(d, RoundingMode.DOUBLE)
                : m2.apply(d * (av[ma[i]] - qa.zp()), RoundingMode.DOUBLE);
        yv[i] = QuantMath.clamp(r + qo.zp(), qo.qmin(), qo.qmax());
      }
    };
  }

  /** A float32 real multiplier, quantized in double (QuantizeMultiplier). */
  private static Multiplier mult(float real) {
    return QuantMath.multiplier(real, RoundingMode.DOUBLE);
  }

  private static void sameShape(TensorSpec x, TensorSpec y) {
    if (!Arrays.equals(x.shape(), y.shape()) || x.type() != y.type())
      throw new IllegalArgumentException("output must have the input's shape and type");
  }
}
