package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * LOGISTIC, HARD_SWISH and SOFTMAX. Int8 LOGISTIC uses TFLite's float-built 256-entry LUT
 * (optimized kernel); HARD_SWISH the int16 fixed-point recipe of the reference kernel; SOFTMAX the
 * x86 optimized kernel's float exp table (ARM builds use a uint16 LUT and may differ by ±1).
 */
final class ActivationKernels {
  private ActivationKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements())
      throw new IllegalArgumentException("input and output sizes differ");
    int xi = op.inputs()[0], yi = op.outputs()[0];
    boolean quant = Simulator.isQuantized(x);
    if (quant && op.kind() != OpKind.HARD_SWISH) checkFixedOutput(y);
    if (op.kind() == OpKind.SOFTMAX)
      return softmax(x, y, xi, yi, op.options(OpOptions.Softmax.class).beta(), quant);
    if (!quant) {
      boolean logistic = op.kind() == OpKind.LOGISTIC;
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) yv[i] = logistic ? sigmoid(xv[i]) : hardSwish(xv[i]);
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    int[] lut = op.kind() == OpKind.LOGISTIC ? logisticLut(qi, qo) : HardSwishQ.lut(qi, qo);
    int base = qi.qmin();
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++) yv[i] = lut[xv[i] - base];
    };
  }

  /** TFLite's Prepare demands output (1/256, −128) for int8 (and (1/256, 0) for uint8). */
  private static void checkFixedOutput(TensorSpec y) {
    QInfo q = QInfo.of(y);
    int zp = q.qmin() == 0 ? 0 : -128;
    if (Math.abs(q.scale() - 1f / 256) > 0.001f / 256 || q.zp() != zp) {
      throw new IllegalArgumentException(
          "output '" + y.name() + "' must have params (1/256, " + zp + "), got " + y.quant());
    }
  }

  static float sigmoid(float v) {
    return 1f / (1f + (float) Math.exp(-v));
  }

  static float hardSwish(float v) {
    return v * Math.min(Math.max(v + 3f, 0f), 6f) / 6f;
  }

  /** LUTPopulate: lut[q] = clamp((int)(round(f(s_in·(q − zp_in))·(1/s_out)) + zp_out)), float32. */
  static int[] logisticLut(QInfo qi, QInfo qo) {
    int[] lut = new int[qi.qmax() - qi.qmin() + 1];
    float inv = 1f / qo.scale();
    for (int q = qi.qmin(); q <= qi.qmax(); q++) {
      float deq = qi.scale() * (q - qi.zp());
      float rescaled = QuantMath.cRound(sigmoid(deq) * inv);
      int quantized = (int) (rescaled + qo.zp());
      lut[q - qi.qmin()] = QuantMath.clamp(quantized, qo.qmin(), qo.qmax());
    }
    return lut;
  }

  private static Simulator.Kernel softmax(
      TensorSpec x, TensorSpec y, int xi, int yi, float beta, boolean quant) {
    int[] s = x.shape();
    int depth = s[s.length - 1], rows = x.elements() / depth;
    if (!quant) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        for (int r = 0; r < rows; r++) {
          int o = r * depth;
          float max = Float.NEGATIVE_INFINITY;
          for (int j = 0; j < depth; j++) max = Math.max(max, xv[o + j]);
          float sum = 0f;
          for (int j = 0; j < depth; j++) {
            yv[o + j] = (float) Math.exp((xv[o + j] - max) * beta);
            sum += yv[o + j];
          }
          for (int j = 0; j < depth; j++) yv[o + j] /= sum;
        }
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    // table[255 − d] = exp(−s_in·beta·d): index 255 − max + q gives exp(−s_in·beta·(max − q)).
    float[] table = new float[256];
    float scale = -qi.scale() * beta;
    for (int d = 0; d <= 255; d++) table[255 - d] = (float) Math.exp(scale * d);
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int r = 0; r < rows; r++) {
        int o = r * depth;
        int max = Integer.MIN_VALUE;
        for (int j = 0; j < depth; j++) max = Math.max(max, xv[o + j]);
        int off = 255 - max;
        float sum = 0f;
        for (int j = 0; j < depth; j++) sum += table[off + xv[o + j]];
        float invSum = 1f / (sum * qo.scale());
        for (int j = 0; j < depth; j++) {
          int q = QuantMath.cRoundToInt(table[off + xv[o + j]] * invSum) + qo.zp();
          yv[o + j] = QuantMath.clamp(q, qo.qmin(), qo.qmax());
        }
      }
    };
  }
}
