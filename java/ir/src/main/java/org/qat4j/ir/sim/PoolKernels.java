package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * AVERAGE_POOL_2D, MAX_POOL_2D and MEAN. Pools use only in-image taps; the int8 average divides the
 * raw sum by the tap count rounding half away from zero and never requantizes (input and output
 * params must be equal).
 */
final class PoolKernels {
  private PoolKernels() {}

  static Simulator.Kernel pool(LoweredGraph g, OpSpec op) {
    OpOptions.Pool o = op.options(OpOptions.Pool.class);
    Geometry q = Geometry.of(g, op, o.filterH(), o.filterW());
    if (q.inC() != q.outC()) throw new IllegalArgumentException("pool must keep the channel count");
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    int xi = op.inputs()[0], yi = op.outputs()[0];
    boolean max = op.kind() == OpKind.MAX_POOL_2D;
    if (!Simulator.isQuantized(x)) {
      float[] r = QuantMath.activationRangeFloat(o.activation());
      return v -> poolF((float[]) v[xi], (float[]) v[yi], q, max, r[0], r[1]);
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    if (qi.scale() != qo.scale() || qi.zp() != qo.zp()) {
      throw new IllegalArgumentException(
          "quantized pool needs equal input/output params, got " + x.quant() + " vs " + y.quant());
    }
    int[] r = qo.range(o.activation());
    return v -> poolQ((int[]) v[xi], (int[]) v[yi], q, max, r[0], r[1]);
  }

  private static void poolF(float[] x, float[] y, Geometry q, boolean max, float lo, float hi) {
    int c = q.inC();
    for (int n = 0; n < q.batch(); n++) {
      for (int oy = 0; oy < q.outH(); oy++) {
        int y0 = Math.max(0, q.inY(oy, 0)), y1 = Math.min(q.inH(), q.inY(oy, 0) + q.kh());
        for (int ox = 0; ox < q.outW(); ox++) {
          int x0 = Math.max(0, q.inX(ox, 0)), x1 = Math.min(q.inW(), q.inX(ox, 0) + q.kw());
          int yo = ((n * q.outH() + oy) * q.outW() + ox) * c;
          for (int ch = 0; ch < c; ch++) {
            float acc = max ? Float.NEGATIVE_INFINITY : 0f;
            for (int iy = y0; iy < y1; iy++) {
              for (int ix = x0; ix < x1; ix++) {
                float v = x[((n * q.inH() + iy) * q.inW() + ix) * c + ch];
                acc = max ? Math.max(acc, v) : acc + v;
              }
            }
            if (!max) acc /= (y1 - y0) * (x1 - x0);
            y[yo + ch] = Math.min(Math.max(acc, lo), hi);
          }
        }
      }
    }
  }

  private static void poolQ(int[] x, int[] y, Geometry q, boolean max, int lo, int hi) {
    int c = q.inC();
    for (int n = 0; n < q.batch(); n++) {
      for (int oy = 0; oy < q.outH(); oy++) {
        int y0 = Math.max(0, q.inY(oy, 0)), y1 = Math.min(q.inH(), q.inY(oy, 0) + q.kh());
        for (int ox = 0; ox < q.outW(); ox++) {
          int x0 = Math.max(0, q.inX(ox, 0)), x1 = Math.min(q.inW(), q.inX(ox, 0) + q.kw());
          int yo = ((n * q.outH() + oy) * q.outW() + ox) * c;
          int count = (y1 - y0) * (x1 - x0);
          for (int ch = 0; ch < c; ch++) {
            int acc = max ? Integer.MIN_VALUE : 0;
            for (int iy = y0; iy < y1; iy++) {
              for (int ix = x0; ix < x1; ix++) {
                int v = x[((n * q.inH() + iy) * q.inW() + ix) * c + ch];
                acc = max ? Math.max(acc, v) : acc + v;
              }
            }
            if (!max) acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
            y[yo + ch] = QuantMath.clamp(acc, lo, hi);
          }
        }
      }
    }
  }

  /**
   * Which integer MEAN implementation to mirror (TFLite's reduce.cc dispatch, see {@link #mean}).
   */
  enum MeanImpl {
    OPTIMIZED_4D,
    REFERENCE
  }

  /**
   * MEAN over constant axes. Int8 mirrors TFLite's builtin dispatch (reduce.cc, EvalMean):
   * keep_dims, 4-D input, axes {1,2} → the optimized kernel (raw sum, one multiplier s_in/(n·s_out)
   * computed in float, bias zp_out − trunc(zp_in·s_in/s_out ± 0.5)); otherwise the reference
   * QuantizedMeanOrSum (sum − zp_in·n, multiplier s_in/s_out with 1/n folded in by a shift ≤ 32).
   * This dispatch is read from TFLite source, not yet confirmed bit-exact against the pinned
   * runtime.
   */
  static Simulator.Kernel mean(
      LoweredGraph g, OpSpec op, Object[] consts, RoundingMode mode, Platform p) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("MEAN needs input and axes");
    TensorSpec x = g.tensor(in[0]), y = g.tensor(op.outputs()[0]);
    int[] shape = x.shape();
    ReduceKernels.Plan plan = ReduceKernels.plan(g, op, consts);
    int[] axes = (int[]) consts[in[1]];
    boolean[] reduce = new boolean[shape.length];
    for (int a : axes) reduce[a < 0 ? a + shape.length : a] = true;
    int[] map = plan.map();
    int xi = in[0], yi = op.outputs()[0];
    final int n = plan.n();
    if (!Simulator.isQuantized(x)) {
      return v -> {
        float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
        java.util.Arrays.fill(yv, 0f);
        for (int i = 0; i < xv.length; i++) yv[map[i]] += xv[i];
        for (int j = 0; j < yv.length; j++) yv[j] /= n;
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    boolean axes12 = shape.length == 4 && reduce[1] && reduce[2] && !reduce[0] && !reduce[3];
    if (mode == RoundingMode.XNNPACK_F32) return meanXnnpack(qi, qo, n, map, xi, yi);
    MeanImpl impl =
        op.options(OpOptions.Reducer.class).keepDims() && axes12
            ? MeanImpl.OPTIMIZED_4D
            : MeanImpl.REFERENCE;
    return impl == MeanImpl.OPTIMIZED_4D
        ? meanOptimized(qi, qo, n, map, xi, yi, mode, shape[3], neonBlocks(x, shape[3], mode, p))
        : meanReference(qi, qo, n, map, xi, yi, mode);
  }

  /** XNNPACK qs8/qu8 mean: (float)(sum − n·zp_in)·(s_in/s_out)·(1/n), rounded to nearest-even. */
  private static Simulator.Kernel meanXnnpack(
      QInfo qi, QInfo qo, int n, int[] map, int xi, int yi) {
    float scale = (qi.scale() / qo.scale()) * (1f / n);
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      ReduceKernels.sumInto(xv, yv, map);
      for (int j = 0; j < yv.length; j++) {
        float f = (float) (yv[j] - qi.zp() * n) * scale;
        f = Math.min(Math.max(f, qo.qmin() - qo.zp()), qo.qmax() - qo.zp());
        yv[j] = (int) Math.rint(f) + qo.zp();
      }
    };
  }

  /**
   * Channels that TFLite's arm64 int8 optimized MEAN rescales in NEON (whole blocks of 16, SRDHM
   * with ties up, {@link RescalePaths#meanUpward}); 0 elsewhere.
   */
  private static int neonBlocks(TensorSpec x, int depth, RoundingMode mode, Platform p) {
    return mode == RoundingMode.DOUBLE && RescalePaths.meanUpward(x.type(), p)
        ? depth / 16 * 16
        : 0;
  }

  private static Simulator.Kernel meanOptimized(
      QInfo qi,
      QInfo qo,
      int n,
      int[] map,
      int xi,
      int yi,
      RoundingMode mode,
      int depth,
      int neon) {
    float temp = qi.zp() * qi.scale() / qo.scale();
    temp = temp > 0 ? temp + 0.5f : temp - 0.5f;
    int bias = qo.zp() - (int) temp;
    float realScale = qi.scale() / ((float) n * qo.scale());
    int[] qm = QuantMath.quantizeMultiplier(realScale, mode == RoundingMode.SINGLE);
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      ReduceKernels.sumInto(xv, yv, map);
      for (int j = 0; j < yv.length; j++) {
        int r =
            (neon > 0 && j % depth < neon
                    ? QuantMath.mbqmRuy(yv[j], qm[0], qm[1])
                    : QuantMath.multiplyByQuantizedMultiplier(yv[j], qm[0], qm[1], mode))
                + bias;
        yv[j] = QuantMath.clamp(r, qo.qmin(), qo.qmax());
      }
    };
  }

  private static Simulator.Kernel meanReference(
      QInfo qi, QInfo qo, int n, int[] map, int xi, int yi, RoundingMode mode) {
    int[] qm =
        QuantMath.quantizeMultiplier(
            (double) qi.scale() / (double) qo.scale(), mode == RoundingMode.SINGLE);
    int shift = 63 - Long.numberOfLeadingZeros(n);
    shift = Math.min(shift, 32);
    shift = Math.min(shift, 31 + qm[1]);
    int mult = (int) (((long) qm[0] << shift) / n);
    int outShift = qm[1] - shift;
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      ReduceKernels.sumInto(xv, yv, map);
      for (int j = 0; j < yv.length; j++) {
        int shifted = yv[j] - qi.zp() * n;
        int r = QuantMath.multiplyByQuantizedMultiplier(shifted, mult, outShift, mode) + qo.zp();
        yv[j] = QuantMath.clamp(r, qo.qmin(), qo.qmax());
      }
    };
  }
}
