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
 * float32 and quantized in double, as TFLite's Prepare does. In XNNPACK_F32 mode LEAKY_RELU follows
 * XNNPACK's own 8.8 fixed-point kernel where XNNPACK takes the operator ({@link
 * #xnnpackMultipliers}).
 */
final class LeakyKernels {
  private LeakyKernels() {}

  static Simulator.Kernel leakyRelu(LoweredGraph g, OpSpec op, RoundingMode mode) {
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
    int[] xnn = mode == RoundingMode.XNNPACK_F32 ? xnnpackMultipliers(qi, qo, alpha) : null;
    if (xnn != null) return v -> xnnpack((int[]) v[xi], (int[]) v[yi], qi, qo, xnn);
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

  /**
   * XNNPACK's LEAKY_RELU multipliers {M+, M−} = lrintf(256·r), lrintf(256·r·α) with r = s_in/s_out
   * in float32, or null where XNNPACK refuses the operator (r outside [2^-8, 2^7], r·α outside
   * (−2^7, 2^7] or below 2^-8 in magnitude) and TFLite runs its builtin kernel instead.
   */
  static int[] xnnpackMultipliers(QInfo qi, QInfo qo, float alpha) {
    float r = qi.scale() / qo.scale(), rn = r * alpha;
    if (r < 0x1.0p-8f || r > 0x1.0p+7f) return null;
    if (rn < -0x1.FFFC00p+6f || rn > 0x1.0p+7f || Math.abs(rn) < 0x1.0p-8f) return null;
    return new int[] {(int) Math.rint(256f * r), (int) Math.rint(256f * rn)};
  }

  /**
   * XNNPACK's qs8/qu8 vlrelu: clamp(zp_out + ⌊(d·M + 128)/256⌋) with M = M+ for d = q − zp_in ≥ 0
   * and M− otherwise (8.8 fixed point; the AVX2 kernel's rounding high multiply gives the same).
   */
  private static void xnnpack(int[] xv, int[] yv, QInfo qi, QInfo qo, int[] m) {
    for (int i = 0; i < yv.length; i++) {
      int d = xv[i] - qi.zp();
      int r = (d * (d >= 0 ? m[0] : m[1]) + 128) >> 8;
      yv[i] = QuantMath.clamp(r + qo.zp(), qo.qmin(), qo.qmax());
    }
  }

  private static void sameShape(TensorSpec x, TensorSpec y) {
    if (!Arrays.equals(x.shape(), y.shape()) || x.type() != y.type())
      throw new IllegalArgumentException("output must have the input's shape and type");
  }
}
