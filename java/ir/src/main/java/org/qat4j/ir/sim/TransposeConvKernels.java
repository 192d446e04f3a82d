package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.Multiplier;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.ir.arith.RoundingMode;

/**
 * TRANSPOSE_CONV (inputs: output shape, weights [O, kh, kw, I], data [N, H, W, I], optional bias
 * [O]) in float32 and int8/uint8. Every input pixel scatters its kernel into the output at
 * (y·stride − pad + ky, x·stride − pad + kx); taps outside the output are dropped. The padding is
 * that of the convolution from the output back to the input (TFLite's ComputePaddingHeightWidth on
 * the output size), and the input must be exactly that convolution's output size: TFLite's
 * optimized col2im reads the GEMM result with that geometry. Integer recipe as CONV_2D: acc =
 * bias[o] + Σ (w − zp_w)·(x − zp_in) in int32, then the per-channel multiplier s_in·s_w[o]/s_out
 * (int8) or the legacy float-product multiplier (uint8), zero point and clamp.
 */
final class TransposeConvKernels {
  private TransposeConvKernels() {}

  /** Scatter geometry: input H×W×I to output OH×OW×O with top/left padding. */
  record Shape(
      int batch,
      int inH,
      int inW,
      int inC,
      int outH,
      int outW,
      int outC,
      int kh,
      int kw,
      int sh,
      int sw,
      int padT,
      int padL) {}

  static Simulator.Kernel create(
      LoweredGraph g, OpSpec op, Object[] consts, RoundingMode mode, Platform platform) {
    int[] in = op.inputs();
    if (in.length < 3) throw new IllegalArgumentException("needs output shape, weights and data");
    TensorSpec w = g.tensor(in[1]), x = g.tensor(in[2]), y = g.tensor(op.outputs()[0]);
    if (!w.isConstant())
      throw new IllegalArgumentException("weights tensor '" + w.name() + "' must be constant");
    Shape s = shape(op, consts[in[0]], w.shape(), x, y);
    int bi = in.length > 3 ? in[3] : -1;
    Object bias = bi >= 0 ? consts[bi] : null;
    if (bi >= 0 && bias == null) throw new IllegalArgumentException("bias must be constant");
    if (bias != null && length(bias) != s.outC())
      throw new IllegalArgumentException(
          "bias has " + length(bias) + " values for " + s.outC() + " channels");
    int xi = in[2], yi = op.outputs()[0];
    boolean quant = Simulator.isQuantized(x);
    if (quant != Simulator.isQuantized(y))
      throw new IllegalArgumentException("input and output must both be float or both quantized");
    if (!quant) {
      if (x.type() != DType.FLOAT32 || w.type() != DType.FLOAT32)
        throw new IllegalArgumentException("float op needs FLOAT32 data and weights");
      float[] wv = (float[]) consts[in[1]];
      float[] bv = bias == null ? new float[s.outC()] : (float[]) bias;
      float[] r = QuantMath.activationRangeFloat(op.options().activation());
      return v -> floatKernel((float[]) v[xi], wv, bv, (float[]) v[yi], s, r[0], r[1]);
    }
    if (w.type() != x.type())
      throw new IllegalArgumentException("weights must be " + x.type() + ", got " + w.type());
    if (bias != null && g.tensor(bi).type() != DType.INT32)
      throw new IllegalArgumentException("quantized bias must be INT32");
    ConvKernels.Requant rq = requant(op, x, w.quant(), y, s.outC(), mode, platform);
    int[] wv = (int[]) consts[in[1]];
    int[] bv = bias == null ? new int[s.outC()] : (int[]) bias;
    int inOff = -QInfo.of(x).zp(), wOff = w.quant().perAxis() ? 0 : -(int) w.quant().zeroPoint();
    return v -> quantKernel((int[]) v[xi], wv, bv, (int[]) v[yi], s, inOff, wOff, rq);
  }

  /** The geometry, checked: output shape constant equal to the output, input = conv of output. */
  static Shape shape(OpSpec op, Object outShape, int[] ws, TensorSpec x, TensorSpec y) {
    if (!(outShape instanceof int[] os))
      throw new IllegalArgumentException("output shape must be a constant INT32 tensor");
    int[] xs = Geometry.shape4(x), ys = Geometry.shape4(y);
    if (!Arrays.equals(os, ys))
      throw new IllegalArgumentException(
          "output shape input " + Arrays.toString(os) + " != output " + Arrays.toString(ys));
    if (ws.length != 4 || ws[3] != xs[3] || ws[0] != ys[3] || xs[0] != ys[0])
      throw new IllegalArgumentException(
          String.format(
              "weights %s do not fit data %s and output %s",
              Arrays.toString(ws), Arrays.toString(xs), Arrays.toString(ys)));
    OpOptions.TransposeConv o = op.options(OpOptions.TransposeConv.class);
    if (o.strideH() < 1 || o.strideW() < 1)
      throw new IllegalArgumentException("strides must be >= 1");
    int ch = Geometry.outSize(o.padding(), ys[1], ws[1], o.strideH(), 1);
    int cw = Geometry.outSize(o.padding(), ys[2], ws[2], o.strideW(), 1);
    if (ch != xs[1] || cw != xs[2])
      throw new IllegalArgumentException(
          String.format(
              "data %dx%d is not the %s convolution size %dx%d of output %dx%d",
              xs[1], xs[2], o.padding(), ch, cw, ys[1], ys[2]));
    int pt = Geometry.pad(o.strideH(), 1, ys[1], ws[1], ch);
    int pl = Geometry.pad(o.strideW(), 1, ys[2], ws[2], cw);
    return new Shape(
        xs[0],
        xs[1],
        xs[2],
        xs[3],
        ys[1],
        ys[2],
        ys[3],
        ws[1],
        ws[2],
        o.strideH(),
        o.strideW(),
        pt,
        pl);
  }

  /** int8: the per-channel array (double products); uint8: the legacy float-product multiplier. */
  private static ConvKernels.Requant requant(
      OpSpec op,
      TensorSpec x,
      QuantParams wq,
      TensorSpec y,
      int channels,
      RoundingMode mode,
      Platform platform) {
    if (wq == null) throw new IllegalArgumentException("weights have no quantization");
    if (wq.perAxis() && wq.quantizedDimension() != 0)
      throw new IllegalArgumentException(
          "per-axis weights must be quantized along dimension 0, got " + wq.quantizedDimension());
    if (wq.perAxis()) {
      for (long z : wq.zeroPoints())
        if (z != 0) throw new IllegalArgumentException("per-axis weights need zero points 0");
    }
    QInfo qi = QInfo.of(x), qo = QInfo.of(y);
    RescalePaths.Kind[] rounding = RescalePaths.transposed(x.type(), channels, platform);
    ConvKernels.Requant rq =
        ConvKernels.requant(
            qi.scale(), wq, qo, channels, op.options().activation(), mode, rounding);
    if (x.type() == DType.UINT8 && !wq.perAxis() && mode != RoundingMode.XNNPACK_F32) {
      Multiplier m = QuantMath.legacyConvMultiplier(qi.scale(), wq.scale(), qo.scale(), mode);
      Arrays.fill(rq.m(), m.m());
      Arrays.fill(rq.sh(), m.shift());
    }
    return rq;
  }

  private static int length(Object a) {
    return a instanceof float[] f ? f.length : ((int[]) a).length;
  }

  /**
   * Receives one input pixel (offset xo), its output pixel (offset yo) and the kernel tap ky·kw +
   * kx.
   */
  private interface Tap {
    void at(int xo, int yo, int tap);
  }

  /**
   * The transposed convolution's scatter geometry, shared by the float and the integer kernel:
   * every input pixel, in NHWC order, meets every kernel tap whose output pixel lies inside the
   * output.
   */
  private static void scatter(Shape s, Tap t) {
    int plane = s.outH() * s.outW() * s.outC();
    for (int n = 0; n < s.batch(); n++)
      for (int iy = 0; iy < s.inH(); iy++)
        for (int ix = 0; ix < s.inW(); ix++) {
          int xo = ((n * s.inH() + iy) * s.inW() + ix) * s.inC();
          for (int ky = 0; ky < s.kh(); ky++) {
            int oy = iy * s.sh() - s.padT() + ky;
            if (oy < 0 || oy >= s.outH()) continue;
            for (int kx = 0; kx < s.kw(); kx++) {
              int ox = ix * s.sw() - s.padL() + kx;
              if (ox >= 0 && ox < s.outW())
                t.at(xo, n * plane + (oy * s.outW() + ox) * s.outC(), ky * s.kw() + kx);
            }
          }
        }
  }

  private static void floatKernel(
      float[] x, float[] w, float[] b, float[] y, Shape s, float lo, float hi) {
    int ic = s.inC(), oc = s.outC(), plane = s.outH() * s.outW() * oc;
    Arrays.fill(y, 0, s.batch() * plane, 0f);
    scatter(
        s,
        (xo, yo, tap) -> {
          for (int o = 0; o < oc; o++) {
            int wo = (o * s.kh() * s.kw() + tap) * ic;
            float acc = 0f;
            for (int c = 0; c < ic; c++) acc += x[xo + c] * w[wo + c];
            y[yo + o] += acc;
          }
        });
    for (int i = 0; i < s.batch() * plane; i++) y[i] = Math.min(Math.max(y[i] + b[i % oc], lo), hi);
  }

  private static void quantKernel(
      int[] x, int[] w, int[] b, int[] y, Shape s, int inOff, int wOff, ConvKernels.Requant rq) {
    int ic = s.inC(), oc = s.outC(), plane = s.outH() * s.outW() * oc;
    int[] acc = new int[s.batch() * plane];
    scatter(
        s,
        (xo, yo, tap) -> {
          for (int o = 0; o < oc; o++) {
            int wo = (o * s.kh() * s.kw() + tap) * ic;
            int sum = 0;
            for (int c = 0; c < ic; c++) sum += (x[xo + c] + inOff) * (w[wo + c] + wOff);
            acc[yo + o] += sum;
          }
        });
    for (int i = 0; i < acc.length; i++) y[i] = rq.apply(acc[i] + b[i % oc], i % oc);
  }
}
