package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * L2_NORMALIZATION along the last axis, as TFLite 2.20's builtin kernel. Quantized, with d = q −
 * zp_in and the row's sum of squares S = Σ d² (int32, wrapping as in C): 1/√S becomes a multiplier
 * m and right shift k by TFLite's fixed-point Newton–Raphson ({@link #invSqrt}); INT8 writes
 * clamp(MBQM(d, m, 7 − k)) with TFLite's double rounding, UINT8 writes clamp(128 +
 * RoundingDivideByPOT(SRDHM(128·d, m), k)). The output must be (1/128, 0) for INT8 and (1/128, 128)
 * for UINT8, without fused activation, as TFLite's Prepare demands. Float32 divides by max(√Σx²,
 * 1e-6) (not bit-checked).
 */
final class L2NormKernels {
  private L2NormKernels() {}

  /** F3 one, 1.5 in F3 and √2/2 in F0 (gemmlowp fixed point, 31 − integer bits fractional). */
  private static final int ONE_F3 = 1 << 28, THREE_HALVES_F3 = (1 << 28) + (1 << 27);

  private static final int HALF_SQRT2_F0 = 1518500250;

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int[] xs = x.shape();
    if (xs.length < 1 || xs.length > 4)
      throw new IllegalArgumentException("TFLite's L2_NORMALIZATION takes ranks 1 to 4");
    if (x.elements() != y.elements() || x.type() != y.type())
      throw new IllegalArgumentException("input and output must match in size and type");
    if (op.options().activation() != FusedActivation.NONE)
      throw new IllegalArgumentException("TFLite's L2_NORMALIZATION takes no fused activation");
    int depth = xs[xs.length - 1], xi = op.inputs()[0], yi = op.outputs()[0];
    if (!Simulator.isQuantized(x)) return v -> floatRows((float[]) v[xi], (float[]) v[yi], depth);
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    boolean u = x.type() == DType.UINT8;
    if (qo.scale() != 1f / 128 || qo.zp() != (u ? 128 : 0))
      throw new IllegalArgumentException(
          "output '"
              + y.name()
              + "' must be (1/128, "
              + (u ? 128 : 0)
              + ") as TFLite requires, got ("
              + qo.scale()
              + ", "
              + qo.zp()
              + ")");
    int zp = qi.zp();
    return v -> quantRows((int[]) v[xi], (int[]) v[yi], depth, zp, u);
  }

  private static void floatRows(float[] xv, float[] yv, int depth) {
    for (int base = 0; base < xv.length; base += depth) {
      float sum = 0;
      for (int c = 0; c < depth; c++) sum += xv[base + c] * xv[base + c];
      float norm = Math.max((float) Math.sqrt(sum), 1e-6f);
      for (int c = 0; c < depth; c++) yv[base + c] = xv[base + c] / norm;
    }
  }

  private static void quantRows(int[] xv, int[] yv, int depth, int zp, boolean u) {
    for (int base = 0; base < xv.length; base += depth) {
      int acc = 0;
      for (int c = 0; c < depth; c++) acc += (xv[base + c] - zp) * (xv[base + c] - zp);
      int[] mk = invSqrt(acc);
      for (int c = 0; c < depth; c++) {
        int d = xv[base + c] - zp;
        yv[base + c] =
            u
                ? QuantMath.clamp(
                    128 + QuantMath.rdbpot(QuantMath.srdhm(128 * d, mk[0]), mk[1]), 0, 255)
                : QuantMath.clamp(QuantMath.mbqmDouble(d, mk[0], 7 - mk[1]), -128, 127);
      }
    }
  }

  /**
   * TFLite's GetInvSqrtQuantizedMultiplierExp as {multiplier, right shift}: S ≤ 1 gives {2^31 − 1,
   * 0}; otherwise S is divided by 4 while ≥ 2^29 (shift 11 + one per division), then scaled up by
   * whole bit pairs into [2^27, 2^29) (shift reduced per pair), so 1/√S = m·2^(−31−k); 1/√ of it,
   * halved into an F3 number, comes from 5 Newton–Raphson steps x ← 1.5·x − (S/2)·x³ from x = 1 in
   * gemmlowp's saturating arithmetic, times √2/2; a negative shift is folded into the multiplier.
   */
  static int[] invSqrt(int s) {
    if (s <= 1) return new int[] {Integer.MAX_VALUE, 0};
    int shift = 11;
    while (s >= 1 << 29) {
      s /= 4;
      shift++;
    }
    int pairs = (Integer.numberOfLeadingZeros(s) - 1) / 2 - 1;
    shift -= pairs;
    s <<= 2 * pairs;
    int half = QuantMath.rdbpot(s >> 1, 1);
    int x = ONE_F3;
    for (int i = 0; i < 5; i++) {
      int x3 = saturatingShiftLeft(QuantMath.srdhm(QuantMath.srdhm(x, x), x), 6);
      x = saturatingShiftLeft(QuantMath.srdhm(THREE_HALVES_F3, x) - QuantMath.srdhm(half, x3), 3);
    }
    x = QuantMath.srdhm(x, HALF_SQRT2_F0);
    if (shift < 0) {
      x <<= -shift;
      shift = 0;
    }
    return new int[] {x, shift};
  }

  /** gemmlowp SaturatingRoundingMultiplyByPOT with a positive exponent. */
  private static int saturatingShiftLeft(int x, int e) {
    int threshold = (1 << (31 - e)) - 1;
    return x > threshold ? Integer.MAX_VALUE : x < -threshold ? Integer.MIN_VALUE : x << e;
  }
}
