package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * ELU (α = 1): y = x for x ≥ 0, e^x − 1 otherwise. INT8 through the 256-entry table TFLite 2.20
 * builds at prepare time with the same float32 recipe as TANH's (lut[q] = clamp(round(f(s_in·(q −
 * zp_in))·(1/s_out)) + zp_out), f evaluated in float: expm1 of a float); TFLite has no UINT8 ELU
 * kernel, so UINT8 is refused. Float32 uses Java's expm1 (TFLite's float kernel is not
 * bit-checked).
 */
final class EluKernels {
  private EluKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements() || x.type() != y.type())
      throw new IllegalArgumentException("input and output must match in size and type");
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = elu(xv[i]);
      };
    }
    if (x.type() != DType.INT8)
      throw new IllegalArgumentException(
          "quantized ELU takes INT8 only (TFLite has no " + x.type() + " kernel)");
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    int[] lut = lut(qi, qo);
    int base = qi.qmin();
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) yv[i] = lut[xv[i] - base];
    };
  }

  /** ELU in float: expm1 rounded to float below zero. */
  static float elu(float v) {
    return v < 0f ? (float) Math.expm1(v) : v;
  }

  /** The table, float32 arithmetic as TFLite's LUT recipe. */
  static int[] lut(QInfo qi, QInfo qo) {
    int[] lut = new int[qi.qmax() - qi.qmin() + 1];
    float inv = 1f / qo.scale();
    for (int q = qi.qmin(); q <= qi.qmax(); q++) {
      float deq = qi.scale() * (q - qi.zp());
      float rescaled = QuantMath.cRound(elu(deq) * inv);
      lut[q - qi.qmin()] = QuantMath.clamp((int) (rescaled + qo.zp()), qo.qmin(), qo.qmax());
    }
    return lut;
  }
}
