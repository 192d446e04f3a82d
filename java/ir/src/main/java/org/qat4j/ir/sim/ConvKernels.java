package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in float32 and int8/uint8. Integer recipe: acc =
 * bias[c] + Σ (w − zp_w)·(x − zp_in) over in-image taps, out = clamp(MBQM(acc, M[c], sh[c]) +
 * zp_out, act_min, act_max) with per-channel multipliers s_in·s_w[c]/s_out (uint8 convolutions and
 * per-tensor FULLY_CONNECTED: one multiplier from the float32 product s_in·s_w). In DOUBLE mode the
 * final shift rounds as TFLite's kernel on the platform does ({@link RescalePaths}: on x86 int8
 * CONV_2D and FULLY_CONNECTED ties up via ruy, the rest ties away from zero). All measured against
 * TFLite 2.20.
 */
final class ConvKernels {
  private ConvKernels() {}

  /** Prepared integer requantization of one op: multipliers per output channel, clamp range. */
  record Requant(
      int[] m,
      int[] sh,
      float[] f,
      RoundingMode mode,
      RescalePaths.Kind[] rounding,
      int zpOut,
      int lo,
      int hi) {
    int apply(int acc, int c) {
      int v =
          switch (mode) {
            case DOUBLE -> rounding[c].apply(acc, m[c], sh[c]);
            case SINGLE -> QuantMath.mbqmSingle(acc, m[c], sh[c]);
            case XNNPACK_F32 -> QuantMath.mulRintF32(acc, f[c]);
          };
      long r = (long) v + zpOut;
      return r < lo ? lo : r > hi ? hi : (int) r;
    }
  }

  static Simulator.Kernel create(
      LoweredGraph g, OpSpec op, Object[] consts, RoundingMode mode, Platform platform) {
    int[] in = op.inputs();
    if (in.length < 2) throw new IllegalArgumentException("needs input and weights");
    TensorSpec x = g.tensor(in[0]), w = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    if (!w.isConstant())
      throw new IllegalArgumentException("weights tensor '" + w.name() + "' must be constant");
    int bi = in.length > 2 ? in[2] : -1;
    int[] ws = w.shape();
    boolean quant = Simulator.isQuantized(x);
    if (quant != Simulator.isQuantized(y))
      throw new IllegalArgumentException("input and output must both be float or both quantized");
    if (!quant && (x.type() != DType.FLOAT32 || w.type() != DType.FLOAT32))
      throw new IllegalArgumentException("float op needs FLOAT32 input and weights");
    int outC =
        op.kind() == OpKind.FULLY_CONNECTED ? ws[0] : op.kind() == OpKind.CONV_2D ? ws[0] : ws[3];
    Object bias = bi >= 0 ? consts[bi] : null;
    if (bi >= 0 && bias == null) throw new IllegalArgumentException("bias must be constant");
    if (bias != null && length(bias) != outC)
      throw new IllegalArgumentException(
          "bias has " + length(bias) + " values for " + outC + " channels");
    if (op.kind() == OpKind.FULLY_CONNECTED) FullyConnectedShape.check(op, x, y, ws);
    Geometry geo = op.kind() == OpKind.FULLY_CONNECTED ? null : Geometry.of(g, op, ws[1], ws[2]);
    if (op.kind() == OpKind.CONV_2D && ws[3] != geo.inC())
      throw new IllegalArgumentException(
          "weights in-channels " + ws[3] + " != input channels " + geo.inC());
    if (op.kind() == OpKind.DEPTHWISE_CONV_2D
        && (ws[0] != 1 || outC % geo.inC() != 0 || outC != geo.outC())) {
      throw new IllegalArgumentException(
          "depthwise weights "
              + java.util.Arrays.toString(ws)
              + " do not fit input channels "
              + geo.inC());
    }
    int xi = in[0], yi = op.outputs()[0];
    if (!quant) {
      float[] wv = (float[]) consts[in[1]];
      float[] bv = bias == null ? new float[outC] : (float[]) bias;
      float[] r = QuantMath.activationRangeFloat(op.options().activation());
      float lo = r[0], hi = r[1];
      return switch (op.kind()) {
        case CONV_2D -> v -> convF((float[]) v[xi], wv, bv, (float[]) v[yi], geo, lo, hi);
        case DEPTHWISE_CONV_2D -> v -> dwF((float[]) v[xi], wv, bv, (float[]) v[yi], geo, lo, hi);
        case FULLY_CONNECTED -> fcF(x, wv, bv, xi, yi, lo, hi);
        default -> throw new IllegalStateException(op.kind() + " has no weights");
      };
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    int[] wv = (int[]) consts[in[1]];
    if (w.quant() == null)
      throw new IllegalArgumentException("weights '" + w.name() + "' have no quantization");
    int wantDim = op.kind() == OpKind.DEPTHWISE_CONV_2D ? 3 : 0;
    if (w.quant().perAxis() && w.quant().quantizedDimension() != wantDim) {
      throw new IllegalArgumentException(
          "per-axis weights '"
              + w.name()
              + "' must be quantized along dimension "
              + wantDim
              + ", got "
              + w.quant().quantizedDimension());
    }
    if (w.quant().perAxis()) {
      for (long z : w.quant().zeroPoints())
        if (z != 0)
          throw new IllegalArgumentException(
              "per-axis weights '" + w.name() + "' need zero points 0");
    }
    int wOff = w.quant().perAxis() ? 0 : -(int) w.quant().zeroPoint();
    int[] bv = bias == null ? new int[outC] : (int[]) bias;
    if (bias != null && g.tensor(bi).type() != DType.INT32)
      throw new IllegalArgumentException("quantized bias must be INT32");
    Requant rq =
        requant(
            qi.scale(),
            w.quant(),
            qo,
            outC,
            op.options().activation(),
            mode,
            rounding(op.kind(), x, ws, geo, outC, platform));
    if (usesLegacyMultiplier(op.kind(), x.type(), w.quant()) && mode != RoundingMode.XNNPACK_F32) {
      Multiplier legacy =
          QuantMath.legacyConvMultiplier(qi.scale(), w.quant().scale(), qo.scale(), mode);
      java.util.Arrays.fill(rq.m(), legacy.m());
      java.util.Arrays.fill(rq.sh(), legacy.shift());
    }
    int inOff = -qi.zp();
    return switch (op.kind()) {
      case CONV_2D -> v -> convQ((int[]) v[xi], wv, bv, (int[]) v[yi], geo, inOff, wOff, rq);
      case DEPTHWISE_CONV_2D ->
          v -> dwQ((int[]) v[xi], wv, bv, (int[]) v[yi], geo, inOff, wOff, rq);
      case FULLY_CONNECTED -> fcQ(x, wv, bv, xi, yi, inOff, wOff, rq);
      default -> throw new IllegalStateException(op.kind() + " has no weights");
    };
  }

  /**
   * Per-channel rounding of the final shift ({@link RescalePaths}): on x86 int8 CONV_2D and
   * FULLY_CONNECTED go through cpu_backend_gemm on ruy (ties up), uint8 ones on gemmlowp and
   * DEPTHWISE_CONV_2D round ties away; arm64 picks by NEON code path.
   */
  private static RescalePaths.Kind[] rounding(
      OpKind kind, TensorSpec x, int[] ws, Geometry geo, int channels, Platform platform) {
    int depth = kind == OpKind.FULLY_CONNECTED ? ws[ws.length - 1] : 0;
    int rows = depth > 0 ? x.elements() / depth : 0;
    return RescalePaths.weighted(kind, x.type(), geo, rows, depth, channels, platform);
  }

  /**
   * Ops whose kernel reads the single legacy multiplier (GetQuantizedConvolutionMultipler: the
   * scale product rounded to float first) instead of the per-channel array: uint8 CONV_2D /
   * DEPTHWISE_CONV_2D, and FULLY_CONNECTED with per-tensor weights of either type. int8
   * convolutions use the per-channel array (double product) even when the weights carry one scale.
   */
  static boolean usesLegacyMultiplier(OpKind kind, DType input, QuantParams wq) {
    if (wq.perAxis()) return false;
    return kind == OpKind.FULLY_CONNECTED || input == DType.UINT8;
  }

  static Requant requant(
      float sIn,
      QuantParams wq,
      QInfo qo,
      int channels,
      org.qat4j.ir.FusedActivation act,
      RoundingMode mode,
      RescalePaths.Kind[] rounding) {
    Multiplier[] ms = QuantMath.convMultipliers(sIn, wq.scales(), qo.scale(), channels, mode);
    int[] m = new int[channels], sh = new int[channels];
    float[] f = new float[channels];
    for (int c = 0; c < channels; c++) {
      m[c] = ms[c].m();
      sh[c] = ms[c].shift();
      f[c] = ms[c].f32();
    }
    int[] r = qo.range(act);
    return new Requant(m, sh, f, mode, rounding, qo.zp(), r[0], r[1]);
  }

  private static int length(Object a) {
    return a instanceof float[] f ? f.length : ((int[]) a).length;
  }

  /**
   * Per-thread im2col patch of one output pixel (the simulator runs samples on several workers).
   */
  private static final ThreadLocal<float[][]> PATCH_F =
      ThreadLocal.withInitial(() -> new float[1][0]);

  private static final ThreadLocal<int[][]> PATCH_Q = ThreadLocal.withInitial(() -> new int[1][0]);

  private static float[] patchF(int n) {
    float[][] h = PATCH_F.get();
    if (h[0].length < n) h[0] = new float[n];
    return h[0];
  }

  private static int[] patchQ(int n) {
    int[][] h = PATCH_Q.get();
    if (h[0].length < n) h[0] = new int[n];
    return h[0];
  }

  private static void convF(
      float[] x, float[] w, float[] b, float[] y, Geometry q, float lo, float hi) {
    int ic = q.inC(), oc = q.outC(), kSize = q.kh() * q.kw() * ic;
    float[] patch = patchF(kSize);
    for (int n = 0; n < q.batch(); n++) {
      for (int oy = 0; oy < q.outH(); oy++) {
        for (int ox = 0; ox < q.outW(); ox++) {
          int p = 0;
          for (int ky = 0; ky < q.kh(); ky++) {
            int iy = q.inY(oy, ky);
            for (int kx = 0; kx < q.kw(); kx++, p += ic) {
              int ix = q.inX(ox, kx);
              if (iy < 0 || iy >= q.inH() || ix < 0 || ix >= q.inW())
                java.util.Arrays.fill(patch, p, p + ic, 0f);
              else System.arraycopy(x, ((n * q.inH() + iy) * q.inW() + ix) * ic, patch, p, ic);
            }
          }
          int yo = ((n * q.outH() + oy) * q.outW() + ox) * oc;
          int o = 0;
          for (; o + 4 <= oc; o += 4) { // four channels per pass: one patch load feeds four sums
            float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f;
            int w0 = o * kSize, w1 = w0 + kSize, w2 = w1 + kSize, w3 = w2 + kSize;
            for (int k = 0; k < kSize; k++) {
              float pv = patch[k];
              a0 += pv * w[w0 + k];
              a1 += pv * w[w1 + k];
              a2 += pv * w[w2 + k];
              a3 += pv * w[w3 + k];
            }
            y[yo + o] = Math.min(Math.max(a0 + b[o], lo), hi);
            y[yo + o + 1] = Math.min(Math.max(a1 + b[o + 1], lo), hi);
            y[yo + o + 2] = Math.min(Math.max(a2 + b[o + 2], lo), hi);
            y[yo + o + 3] = Math.min(Math.max(a3 + b[o + 3], lo), hi);
          }
          for (; o < oc; o++) {
            float acc = 0f;
            int wo = o * kSize;
            for (int k = 0; k < kSize; k++) acc += patch[k] * w[wo + k];
            y[yo + o] = Math.min(Math.max(acc + b[o], lo), hi);
          }
        }
      }
    }
  }

  /** Out-of-image taps hold x − zp_in = 0, i.e. they are skipped as TFLite does. */
  private static void convQ(
      int[] x, int[] w, int[] b, int[] y, Geometry q, int inOff, int wOff, Requant rq) {
    int ic = q.inC(), oc = q.outC(), kSize = q.kh() * q.kw() * ic;
    int[] patch = patchQ(kSize);
    for (int n = 0; n < q.batch(); n++) {
      for (int oy = 0; oy < q.outH(); oy++) {
        for (int ox = 0; ox < q.outW(); ox++) {
          int p = 0;
          for (int ky = 0; ky < q.kh(); ky++) {
            int iy = q.inY(oy, ky);
            for (int kx = 0; kx < q.kw(); kx++) {
              int ix = q.inX(ox, kx);
              boolean out = iy < 0 || iy >= q.inH() || ix < 0 || ix >= q.inW();
              int xo = out ? 0 : ((n * q.inH() + iy) * q.inW() + ix) * ic;
              for (int c = 0; c < ic; c++, p++) patch[p] = out ? 0 : x[xo + c] + inOff;
            }
          }
          int yo = ((n * q.outH() + oy) * q.outW() + ox) * oc;
          int o = 0;
          if (wOff == 0) {
            for (; o + 4 <= oc; o += 4) {
              int a0 = 0, a1 = 0, a2 = 0, a3 = 0;
              int w0 = o * kSize, w1 = w0 + kSize, w2 = w1 + kSize, w3 = w2 + kSize;
              for (int k = 0; k < kSize; k++) {
                int pv = patch[k];
                a0 += pv * w[w0 + k];
                a1 += pv * w[w1 + k];
                a2 += pv * w[w2 + k];
                a3 += pv * w[w3 + k];
              }
              y[yo + o] = rq.apply(a0 + b[o], o);
              y[yo + o + 1] = rq.apply(a1 + b[o + 1], o + 1);
              y[yo + o + 2] = rq.apply(a2 + b[o + 2], o + 2);
              y[yo + o + 3] = rq.apply(a3 + b[o + 3], o + 3);
            }
          }
          for (; o < oc; o++) {
            int acc = 0;
            int wo = o * kSize;
            for (int k = 0; k < kSize; k++) acc += patch[k] * (w[wo + k] + wOff);
            y[yo + o] = rq.apply(acc + b[o], o);
          }
        }
      }
    }
  }

  private static void dwF(
      float[] x, float[] w, float[] b, float[] y, Geometry q, float lo, float hi) {
    int ic = q.inC(), oc = q.outC(), mult = oc / ic;
    for (int n = 0; n < q.batch(); n++) {
      for (int oy = 0; oy < q.outH(); oy++) {
        for (int ox = 0; ox < q.outW(); ox++) {
          int yo = ((n * q.outH() + oy) * q.outW() + ox) * oc;
          for (int o = 0; o < oc; o++) {
            int c = o / mult;
            float acc = 0f;
            for (int ky = 0; ky < q.kh(); ky++) {
              int iy = q.inY(oy, ky);
              if (iy < 0 || iy >= q.inH()) continue;
              for (int kx = 0; kx < q.kw(); kx++) {
                int ix = q.inX(ox, kx);
                if (ix < 0 || ix >= q.inW()) continue;
                acc +=
                    x[((n * q.inH() + iy) * q.inW() + ix) * ic + c]
                        * w[(ky * q.kw() + kx) * oc + o];
              }
            }
            y[yo + o] = Math.min(Math.max(acc + b[o], lo), hi);
          }
        }
      }
    }
  }

  private static void dwQ(
      int[] x, int[] w, int[] b, int[] y, Geometry q, int inOff, int wOff, Requant rq) {
    int ic = q.inC(), oc = q.outC(), mult = oc / ic;
    for (int n = 0; n < q.batch(); n++) {
      for (int oy = 0; oy < q.outH(); oy++) {
        for (int ox = 0; ox < q.outW(); ox++) {
          int yo = ((n * q.outH() + oy) * q.outW() + ox) * oc;
          for (int o = 0; o < oc; o++) {
            int c = o / mult;
            int acc = 0;
            for (int ky = 0; ky < q.kh(); ky++) {
              int iy = q.inY(oy, ky);
              if (iy < 0 || iy >= q.inH()) continue;
              for (int kx = 0; kx < q.kw(); kx++) {
                int ix = q.inX(ox, kx);
                if (ix < 0 || ix >= q.inW()) continue;
                acc +=
                    (x[((n * q.inH() + iy) * q.inW() + ix) * ic + c] + inOff)
                        * (w[(ky * q.kw() + kx) * oc + o] + wOff);
              }
            }
            y[yo + o] = rq.apply(acc + b[o], o);
          }
        }
      }
    }
  }

  private static Simulator.Kernel fcF(
      TensorSpec x, float[] w, float[] b, int xi, int yi, float lo, float hi) {
    int units = b.length, k = w.length / units;
    if (x.elements() % k != 0)
      throw new IllegalArgumentException(
          "input '" + x.name() + "' size " + x.elements() + " is not a multiple of " + k);
    int rows = x.elements() / k;
    return v -> {
      float[] xv = (float[]) v[xi], yv = (float[]) v[yi];
      for (int r = 0; r < rows; r++) {
        for (int u = 0; u < units; u++) {
          float acc = 0f;
          int xo = r * k, wo = u * k;
          for (int i = 0; i < k; i++) acc += xv[xo + i] * w[wo + i];
          yv[r * units + u] = Math.min(Math.max(acc + b[u], lo), hi);
        }
      }
    };
  }

  private static Simulator.Kernel fcQ(
      TensorSpec x, int[] w, int[] b, int xi, int yi, int inOff, int wOff, Requant rq) {
    int units = b.length, k = w.length / units;
    if (x.elements() % k != 0)
      throw new IllegalArgumentException(
          "input '" + x.name() + "' size " + x.elements() + " is not a multiple of " + k);
    int rows = x.elements() / k;
    return v -> {
      int[] xv = (int[]) v[xi], yv = (int[]) v[yi];
      for (int r = 0; r < rows; r++) {
        for (int u = 0; u < units; u++) {
          int acc = 0;
          int xo = r * k, wo = u * k;
          for (int i = 0; i < k; i++) acc += (w[wo + i] + wOff) * (xv[xo + i] + inOff);
          yv[r * units + u] = rq.apply(acc + b[u], u);
        }
      }
    };
  }
}
