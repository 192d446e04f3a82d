package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * TANH. INT8/UINT8 through the 256-entry table TFLite's generic optimized kernel builds in float32
 * at prepare time (lut[q] = clamp(round(tanh(s_in·(q − zp_in))/s_out) + zp_out)); TFLite does not
 * enforce the spec's (1/128, 0) output parameters, so any output quantization is simulated. Float32
 * uses Java's tanh (TFLite's float kernel runs XNNPACK's approximation; not bit-checked).
 */
final class TanhKernels {
  private TanhKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements() || x.type() != y.type())
      throw new IllegalArgumentException("input and output must match in size and type");
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = (float) Math.tanh(xv[i]);
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    int[] lut = lut(qi, qo);
    int base = qi.qmin();
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) yv[i] = lut[xv[i] - base];
    };
  }

  /** The table, float32 arithmetic as in LUTPopulate (tanh itself rounded to float). */
  static int[] lut(QInfo qi, QInfo qo) {
    int[] lut = new int[qi.qmax() - qi.qmin() + 1];
    float inv = 1f / qo.scale();
    for (int q = qi.qmin(); q <= qi.qmax(); q++) {
      float deq = qi.scale() * (q - qi.zp());
      float rescaled = QuantMath.cRound((float) Math.tanh(deq) * inv);
      lut[q - qi.qmin()] = QuantMath.clamp((int) (rescaled + qo.zp()), qo.qmin(), qo.qmax());
    }
    return lut;
  }
}
