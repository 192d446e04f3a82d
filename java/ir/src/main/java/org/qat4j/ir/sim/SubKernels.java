package org.qat4j.ir.sim;

import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * Quantized SUB (int8 and uint8) of TFLite's builtin kernel (not yet wired into the op table):
 * TFLite runs its ADD kernel with the second input's multiplier negated, so out =
 * clamp(MBQM(MBQM(a·2^20, M1) + MBQM(b·2^20, −M2), Mo) + zp_out) with a, b the inputs minus their
 * zero points and the ADD multipliers (QuantMath.addParams). Negating the multiplier is not the
 * same as negating the rescaled value (SaturatingRoundingDoublingHighMul rounds ties upward),
 * though the one-unit difference before the output shift did not show in 90 000 random values.
 */
final class SubKernels {
  private SubKernels() {}

  /** Prepared fixed-point parameters of one quantized SUB. */
  record Params(
      int zp1,
      int zp2,
      int zpOut,
      int leftShift,
      Multiplier in1,
      Multiplier in2Negated,
      Multiplier out,
      int lo,
      int hi) {
    /** One output value from the raw stored inputs {@code q1}, {@code q2}. */
    int apply(int q1, int q2) {
      int s1 = QuantMath.mbqmDouble((q1 - zp1) * (1 << leftShift), in1.m(), in1.shift());
      int s2 =
          QuantMath.mbqmDouble((q2 - zp2) * (1 << leftShift), in2Negated.m(), in2Negated.shift());
      return QuantMath.clamp(QuantMath.mbqmDouble(s1 + s2, out.m(), out.shift()) + zpOut, lo, hi);
    }
  }

  /**
   * Parameters for inputs (s1, zp1), (s2, zp2), output (sOut, zpOut) of a type with range [qmin,
   * qmax].
   */
  static Params prepare(
      float s1,
      int zp1,
      float s2,
      int zp2,
      float sOut,
      int zpOut,
      FusedActivation act,
      int qmin,
      int qmax) {
    QuantMath.AddParams p = QuantMath.addParams(s1, s2, sOut, RoundingMode.DOUBLE);
    Multiplier neg = new Multiplier(-p.in2().m(), p.in2().shift(), -p.in2().f32());
    int[] r = QuantMath.activationRange(act, sOut, zpOut, qmin, qmax);
    return new Params(zp1, zp2, zpOut, p.leftShift(), p.in1(), neg, p.out(), r[0], r[1]);
  }
}
