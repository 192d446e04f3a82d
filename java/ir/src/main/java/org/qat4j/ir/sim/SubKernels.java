package org.qat4j.ir.sim;

import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * SUB with NumPy broadcasting, float32 (a − b, then the fused activation) and quantized (int8 and
 * uint8) as TFLite's builtin kernel: TFLite runs its ADD kernel with the second input's multiplier
 * negated, so out = clamp(MBQM(MBQM(a·2^20, M1) + MBQM(b·2^20, −M2), Mo) + zp_out) with a, b the
 * inputs minus their zero points and the ADD multipliers (QuantMath.addParams). Negating the
 * multiplier is not the same as negating the rescaled value (SaturatingRoundingDoublingHighMul
 * rounds ties upward), though the one-unit difference before the output shift did not show in 90
 * 000 random values.
 */
final class SubKernels {
  private SubKernels() {}

  /** The kernel of one SUB op (inputs broadcast to the output shape). */
  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec a = g.tensor(in[0]), b = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    Broadcast.check(a, b, y);
    int[] ma = Broadcast.map(a, y), mb = Broadcast.map(b, y);
    int ai = in[0], bi = in[1], yi = op.outputs()[0];
    FusedActivation act = op.options().activation();
    if (!Simulator.isQuantized(y)) {
      float[] r = QuantMath.activationRangeFloat(act);
      return v -> {
        float[] av = (float[]) v[ai], bv = (float[]) v[bi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++)
          yv[i] = Math.min(Math.max(av[ma[i]] - bv[mb[i]], r[0]), r[1]);
      };
    }
    QInfo qa = QInfo.of(a), qb = QInfo.of(b), qy = QInfo.of(y);
    Params p =
        prepare(
            qa.scale(),
            qa.zp(),
            qb.scale(),
            qb.zp(),
            qy.scale(),
            qy.zp(),
            act,
            qy.qmin(),
            qy.qmax());
    return v -> {
      int[] av = (int[]) v[ai], bv = (int[]) v[bi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) yv[i] = p.apply(av[ma[i]], bv[mb[i]]);
    };
  }

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
