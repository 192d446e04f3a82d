package org.qat4j.ir.sim;

import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * ADD and MUL (equal shapes, or the second/first operand broadcast along the last axis or as a
 * scalar) and the standalone activations RELU, RELU6 in float32 and int8. Integer ADD/MUL follow
 * add.cc / mul.cc (left shift 20, double multipliers); XNNPACK_F32 mode uses DOUBLE for ADD and,
 * for MUL, XNNPACK's float32 requantization: clamp(rint((float) Πd · s) + zp) with s =
 * s_a·s_b/s_out in float32, where XNNPACK takes the operator (s in [2^-16, 2^8); BUILTIN's
 * arithmetic elsewhere).
 */
final class EltwiseKernels {
  private EltwiseKernels() {}

  /** Index of the operand element for output element i: same, per-last-axis, or scalar. */
  private static int[] broadcastMap(TensorSpec a, TensorSpec out) {
    int n = out.elements(), k = a.elements();
    int[] s = out.shape();
    int last = s.length == 0 ? 1 : s[s.length - 1];
    if (k != n && k != 1 && k != last) {
      throw new IllegalArgumentException(
          "operand '"
              + a.name()
              + "' "
              + java.util.Arrays.toString(a.shape())
              + " cannot broadcast to "
              + java.util.Arrays.toString(s)
              + " (equal, scalar or last-axis only)");
    }
    int[] m = new int[n];
    for (int i = 0; i < n; i++) m[i] = k == n ? i : k == 1 ? 0 : i % last;
    return m;
  }

  static Simulator.Kernel binary(LoweredGraph g, OpSpec op, RoundingMode mode) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec a = g.tensor(in[0]), b = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    int[] ma = broadcastMap(a, y), mb = broadcastMap(b, y);
    int ai = in[0], bi = in[1], yi = op.outputs()[0];
    boolean add = op.kind() == OpKind.ADD;
    FusedActivation act = op.options().activation();
    if (!Simulator.isQuantized(y)) {
      float[] r = QuantMath.activationRangeFloat(act);
      return v -> {
        float[] av = (float[]) v[ai], bv = (float[]) v[bi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) {
          float s = add ? av[ma[i]] + bv[mb[i]] : av[ma[i]] * bv[mb[i]];
          yv[i] = Math.min(Math.max(s, r[0]), r[1]);
        }
      };
    }
    QInfo qa = QInfo.of(a), qb = QInfo.of(b), qy = QInfo.of(y);
    int[] r = qy.range(act);
    RoundingMode m = mode == RoundingMode.XNNPACK_F32 ? RoundingMode.DOUBLE : mode;
    if (add) {
      QuantMath.AddParams p = QuantMath.addParams(qa.scale(), qb.scale(), qy.scale(), m);
      int ls = p.leftShift();
      return v -> {
        int[] av = (int[]) v[ai], bv = (int[]) v[bi], yv = (int[]) v[yi];
        for (int i = 0; i < yv.length; i++) {
          int s1 = p.in1().apply((av[ma[i]] - qa.zp()) * (1 << ls), m);
          int s2 = p.in2().apply((bv[mb[i]] - qb.zp()) * (1 << ls), m);
          yv[i] = QuantMath.clamp(p.out().apply(s1 + s2, m) + qy.zp(), r[0], r[1]);
        }
      };
    }
    float scale = qa.scale() * qb.scale() / qy.scale();
    // XNNPACK's qs8/qu8 multiply (fp32 requantization) where it takes the operator
    if (mode == RoundingMode.XNNPACK_F32 && scale >= 0x1.0p-16f && scale < 0x1.0p+8f) {
      return v -> {
        int[] av = (int[]) v[ai], bv = (int[]) v[bi], yv = (int[]) v[yi];
        for (int i = 0; i < yv.length; i++) {
          int prod = (av[ma[i]] - qa.zp()) * (bv[mb[i]] - qb.zp());
          yv[i] = QuantMath.clamp(QuantMath.mulRintF32(prod, scale) + qy.zp(), r[0], r[1]);
        }
      };
    }
    Multiplier mm =
        QuantMath.multiplier((double) qa.scale() * (double) qb.scale() / (double) qy.scale(), m);
    return v -> {
      int[] av = (int[]) v[ai], bv = (int[]) v[bi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) {
        int prod = (av[ma[i]] - qa.zp()) * (bv[mb[i]] - qb.zp());
        yv[i] = QuantMath.clamp(mm.apply(prod, m) + qy.zp(), r[0], r[1]);
      }
    };
  }

  /**
   * Standalone RELU/RELU6. Float: clamp. Int8 (activations.cc ReluPrepare/QuantizedReluX):
   * requantize (q − zp_in) by s_in/s_out, add zp_out, clamp to [zp_out + round(0/s_out), zp_out +
   * round(6/s_out)] within the type range.
   */
  static Simulator.Kernel relu(LoweredGraph g, OpSpec op, RoundingMode mode) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int xi = op.inputs()[0], yi = op.outputs()[0];
    FusedActivation act = op.kind() == OpKind.RELU ? FusedActivation.RELU : FusedActivation.RELU6;
    if (!Simulator.isQuantized(x)) {
      float hi = act == FusedActivation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = Math.min(Math.max(xv[i], 0f), hi);
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    RoundingMode m = mode == RoundingMode.XNNPACK_F32 ? RoundingMode.DOUBLE : mode;
    Multiplier mul = QuantMath.requantMultiplier(qi.scale(), qo.scale(), m);
    int[] r = qo.range(act);
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++)
        yv[i] = QuantMath.clamp(mul.apply(xv[i] - qi.zp(), m) + qo.zp(), r[0], r[1]);
    };
  }
}
