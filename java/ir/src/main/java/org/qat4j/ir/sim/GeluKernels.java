package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.GeluMath;
import org.qat4j.ir.arith.QuantMath;

/**
 * GELU (erf form, or the tanh form when approximate). INT8/UINT8 through the 256-entry table TFLite
 * 2.20 fills at prepare time with its float32 LUT recipe (lut[q] = clamp(round(f(s_in·(q −
 * zp_in))·(1/s_out)) + zp_out), f as {@link GeluMath#of}); any output quantization is taken.
 * Float32 uses the same function (TFLite's float kernel runs Eigen's erfc; not bit-checked).
 */
final class GeluKernels {
  private GeluKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements() || x.type() != y.type())
      throw new IllegalArgumentException("input and output must match in size and type");
    boolean approx = op.options(OpOptions.Gelu.class).approximate();
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = GeluMath.of(xv[i], approx);
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    int[] lut = lut(qi, qo, approx);
    int base = qi.qmin();
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) yv[i] = lut[xv[i] - base];
    };
  }

  /** The table, float32 arithmetic as TFLite's LUT recipe. */
  static int[] lut(QInfo qi, QInfo qo, boolean approx) {
    int[] lut = new int[qi.qmax() - qi.qmin() + 1];
    float inv = 1f / qo.scale();
    for (int q = qi.qmin(); q <= qi.qmax(); q++) {
      float deq = qi.scale() * (q - qi.zp());
      float rescaled = QuantMath.cRound(GeluMath.of(deq, approx) * inv);
      lut[q - qi.qmin()] = QuantMath.clamp((int) (rescaled + qo.zp()), qo.qmin(), qo.qmax());
    }
    return lut;
  }
}
