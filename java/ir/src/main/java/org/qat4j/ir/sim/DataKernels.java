package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * Data-movement and conversion ops: RESHAPE, PAD (quantized pad value = zp), CONCATENATION (copy
 * when params are equal; int8 rejects unequal params as TFLite's Prepare does, uint8 rescales in
 * float as ConcatenationWithScaling), QUANTIZE (float→int, int→int requantization) and DEQUANTIZE.
 */
final class DataKernels {
  private DataKernels() {}

  static Simulator.Kernel reshape(LoweredGraph g, OpSpec op) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements())
      throw new IllegalArgumentException(
          "RESHAPE changes the element count " + x.elements() + " → " + y.elements());
    if (x.type() != y.type()) throw new IllegalArgumentException("RESHAPE changes the type");
    int xi = op.inputs()[0], yi = op.outputs()[0];
    return v -> copy(v[xi], 0, v[yi], 0, x.elements());
  }

  private static void copy(Object src, int so, Object dst, int d, int n) {
    System.arraycopy(src, so, dst, d, n);
  }

  static Simulator.Kernel pad(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] in = op.inputs();
    if (in.length < 2 || !(consts[in[1]] instanceof int[] p))
      throw new IllegalArgumentException("PAD needs a constant INT32 paddings input");
    TensorSpec x = g.tensor(in[0]), y = g.tensor(op.outputs()[0]);
    int[] xs = x.shape(), ys = y.shape();
    int rank = xs.length;
    if (p.length != 2 * rank || ys.length != rank)
      throw new IllegalArgumentException("paddings must be [" + rank + ",2]");
    for (int d = 0; d < rank; d++) {
      if (p[2 * d] < 0 || p[2 * d + 1] < 0 || xs[d] + p[2 * d] + p[2 * d + 1] != ys[d]) {
        throw new IllegalArgumentException("paddings do not produce the output shape at dim " + d);
      }
    }
    int xi = in[0], yi = op.outputs()[0];
    boolean quant = Simulator.isQuantized(x);
    int padQ = quant ? QInfo.of(y).zp() : 0;
    if (quant && QInfo.of(x).zp() != padQ)
      throw new IllegalArgumentException("quantized PAD needs equal input/output params");
    int inner = xs[rank - 1];
    int[] rowMap = rowOffsets(xs, ys, p);
    return v -> {
      if (quant) java.util.Arrays.fill((int[]) v[yi], padQ);
      else java.util.Arrays.fill((float[]) v[yi], 0f);
      for (int r = 0; r < rowMap.length; r++) copy(v[xi], r * inner, v[yi], rowMap[r], inner);
    };
  }

  /** Output offset of each input row (last axis contiguous). */
  static int[] rowOffsets(int[] xs, int[] ys, int[] p) {
    int rank = xs.length, rows = 1;
    for (int d = 0; d < rank - 1; d++) rows *= xs[d];
    int[] map = new int[rows];
    int[] idx = new int[rank];
    for (int r = 0; r < rows; r++) {
      int o = 0;
      for (int d = 0; d < rank; d++) o = o * ys[d] + idx[d] + p[2 * d];
      map[r] = o;
      for (int d = rank - 2; d >= 0; d--) {
        if (++idx[d] < xs[d]) break;
        idx[d] = 0;
      }
    }
    return map;
  }

  static Simulator.Kernel concat(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    TensorSpec y = g.tensor(op.outputs()[0]);
    int[] ys = y.shape();
    int given = op.options(OpOptions.Concat.class).axis();
    int axis = given < 0 ? given + ys.length : given;
    if (axis < 0 || axis >= ys.length)
      throw new IllegalArgumentException("axis " + given + " out of range");
    if (op.options().activation() != org.qat4j.ir.FusedActivation.NONE)
      throw new IllegalArgumentException("TFLite CONCATENATION rejects fused activations");
    int outer = 1;
    for (int d = 0; d < axis; d++) outer *= ys[d];
    int[] chunk = new int[in.length];
    int total = 0;
    for (int i = 0; i < in.length; i++) {
      TensorSpec t = g.tensor(in[i]);
      if (t.type() != y.type())
        throw new IllegalArgumentException(
            "input " + i + " type " + t.type() + " != output " + y.type());
      chunk[i] = t.elements() / outer;
      total += chunk[i];
    }
    if (total * outer != y.elements())
      throw new IllegalArgumentException("input sizes do not add up to the output");
    boolean quant = Simulator.isQuantized(y);
    float[] scale = new float[in.length], bias = new float[in.length];
    boolean[] same = new boolean[in.length];
    QInfo qo = quant ? QInfo.of(y) : null;
    for (int i = 0; i < in.length; i++) {
      if (!quant) {
        same[i] = true;
        continue;
      }
      QInfo qi = QInfo.of(g.tensor(in[i]));
      same[i] = qi.scale() == qo.scale() && qi.zp() == qo.zp();
      if (!same[i] && y.type() == DType.INT8) {
        throw new IllegalArgumentException(
            "int8 CONCATENATION input "
                + i
                + " ('"
                + g.tensor(in[i]).name()
                + "') has params "
                + g.tensor(in[i]).quant()
                + " but the output has "
                + y.quant()
                + "; TFLite requires them equal (insert a QUANTIZE)");
      }
      scale[i] = qi.scale() * (1f / qo.scale());
      bias[i] = -qi.zp() * scale[i];
    }
    int yi = op.outputs()[0];
    final int rowLen = total, outerN = outer;
    return v -> {
      for (int o = 0; o < outerN; o++) {
        int dst = o * rowLen;
        for (int i = 0; i < in.length; i++) {
          if (same[i]) copy(v[in[i]], o * chunk[i], v[yi], dst, chunk[i]);
          else
            rescale(
                (int[]) v[in[i]],
                o * chunk[i],
                (int[]) v[yi],
                dst,
                chunk[i],
                scale[i],
                bias[i],
                qo);
          dst += chunk[i];
        }
      }
    };
  }

  private static void rescale(
      int[] x, int xo, int[] y, int yo, int n, float scale, float bias, QInfo qo) {
    for (int j = 0; j < n; j++) {
      int q = QuantMath.cRoundToInt(x[xo + j] * scale + bias) + qo.zp();
      y[yo + j] = QuantMath.clamp(q, qo.qmin(), qo.qmax());
    }
  }

  static Simulator.Kernel quantize(LoweredGraph g, OpSpec op, RoundingMode mode, Platform p) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements())
      throw new IllegalArgumentException("QUANTIZE changes the element count");
    QInfo qo = QInfo.of(y);
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (x.type() == DType.FLOAT32 && mode == RoundingMode.XNNPACK_F32) {
      // XNNPACK f32→qs8/qu8 convert: multiply by the float reciprocal, clamp, round to
      // nearest-even.
      float inv = 1f / qo.scale();
      float lo = qo.qmin() - qo.zp(), hi = qo.qmax() - qo.zp();
      return v -> {
        float[] xv = (float[]) v[xi];
        int[] yv = (int[]) v[yi];
        for (int i = 0; i < yv.length; i++)
          yv[i] = (int) Math.rint(Math.min(Math.max(xv[i] * inv, lo), hi)) + qo.zp();
      };
    }
    if (x.type() == DType.FLOAT32) {
      return v -> {
        float[] xv = (float[]) v[xi];
        int[] yv = (int[]) v[yi];
        for (int i = 0; i < yv.length; i++)
          yv[i] = QuantMath.quantizeDouble(xv[i], qo.scale(), qo.zp(), qo.qmin(), qo.qmax());
      };
    }
    QInfo qi = QInfo.of(x);
    float ratio = qi.scale() / qo.scale();
    if (mode == RoundingMode.XNNPACK_F32 && ratio >= 0x1p-8f && ratio <= 0x1p7f) {
      // XNNPACK qs8/qu8 convert: Q8 multiplier lrintf(256·s_in/s_out), bias (zp_out << 8) + 128, >>
      // 8.
      int mult = (int) Math.rint(256f * ratio);
      int bias = (qo.zp() << 8) + 0x80;
      return v -> {
        int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
        for (int i = 0; i < yv.length; i++)
          yv[i] = QuantMath.clamp((bias + (xv[i] - qi.zp()) * mult) >> 8, qo.qmin(), qo.qmax());
      };
    }
    RoundingMode m = mode == RoundingMode.XNNPACK_F32 ? RoundingMode.DOUBLE : mode;
    Multiplier mul = QuantMath.requantMultiplier(qi.scale(), qo.scale(), m);
    if (m == RoundingMode.DOUBLE && x.type() == DType.INT8 && y.type() == DType.INT8) {
      return v -> {
        int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
        for (int i = 0; i < yv.length; i++) {
          int r =
              RescalePaths.requantize(i, yv.length, p).apply(xv[i] - qi.zp(), mul.m(), mul.shift());
          yv[i] = QuantMath.clamp(r + qo.zp(), qo.qmin(), qo.qmax());
        }
      };
    }
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++)
        yv[i] = QuantMath.clamp(mul.apply(xv[i] - qi.zp(), m) + qo.zp(), qo.qmin(), qo.qmax());
    };
  }

  static Simulator.Kernel dequantize(LoweredGraph g, OpSpec op, RoundingMode mode, Platform p) {
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (y.type() != DType.FLOAT32 || x.elements() != y.elements())
      throw new IllegalArgumentException("DEQUANTIZE needs a FLOAT32 output of equal size");
    QInfo qi = QInfo.of(x);
    int xi = op.inputs()[0], yi = op.outputs()[0];
    Platform fused = mode == RoundingMode.XNNPACK_F32 ? Platform.X86_64 : p; // XNNPACK: (q − zp)·s
    return v -> {
      int[] xv = (int[]) v[xi];
      float[] yv = (float[]) v[yi];
      for (int i = 0; i < yv.length; i++)
        yv[i] = RescalePaths.dequantize(xv[i], qi.scale(), qi.zp(), i, yv.length, fused);
    };
  }
}
