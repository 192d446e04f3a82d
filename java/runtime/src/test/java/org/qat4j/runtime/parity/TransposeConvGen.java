package org.qat4j.runtime.parity;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * Random TRANSPOSE_CONV graphs: int8 with per-channel weights (zero points 0) or uint8 with
 * per-tensor weights and a random weight zero point; kernels 1–4, strides 1–3, SAME or VALID, batch
 * 1–2, with a bias (version 3) or without, and a fused activation (version 4) in a quarter of the
 * graphs. The output scale keeps about ±3σ of the accumulator in range.
 */
final class TransposeConvGen {
  private TransposeConvGen() {}

  static OpGraphs.Case create(SplittableRandom r) {
    DType type = r.nextBoolean() ? DType.INT8 : DType.UINT8;
    LoweredGraphBuilder b = new LoweredGraphBuilder("TRANSPOSE_CONV");
    int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
    String pad = r.nextBoolean() ? "SAME" : "VALID";
    int[] ys = {1 + r.nextInt(2), kh + r.nextInt(10), kw + r.nextInt(10), 1 + r.nextInt(6)};
    int[] xs = {ys[0], conv(pad, ys[1], kh, sh), conv(pad, ys[2], kw, sw), 1 + r.nextInt(6)};
    int oc = ys[3], ic = xs[3];
    QuantParams qi = QuantParams.perTensor(0.005f + 0.1f * (float) r.nextDouble(), zp(r, type));
    float[] ws = new float[oc];
    for (int c = 0; c < oc; c++) ws[c] = 0.002f + 0.02f * (float) r.nextDouble();
    if (type == DType.UINT8) Arrays.fill(ws, ws[0]);
    int st = b.addTensor(new TensorSpec("output_shape", new int[] {4}, DType.INT32, null, ys));
    int w = weights(b, r, type, ws, new int[] {oc, kh, kw, ic});
    int x = b.addTensor(TensorSpec.activation("x", xs, type, qi));
    int y =
        b.addTensor(
            TensorSpec.activation(
                "y", ys, type, outParams(r, type, qi, ws[0], xs, kh, kw, sh, sw)));
    boolean bias = r.nextBoolean();
    FusedActivation act = r.nextInt(4) == 0 ? FusedActivation.values()[1 + r.nextInt(3)] : null;
    int[] in = bias ? new int[] {st, w, x, bias(b, r, qi.scale(), ws)} : new int[] {st, w, x};
    OpOptions.TransposeConv o =
        new OpOptions.TransposeConv(pad, sh, sw, act == null ? FusedActivation.NONE : act);
    b.addOp(OpKind.TRANSPOSE_CONV, in, new int[] {y}, o);
    LoweredGraph g = b.setInputs(x).setOutputs(y).build();
    String geometry = kh + "x" + kw + " stride " + sh + "x" + sw + " " + pad;
    String desc = type + " " + geometry + (bias ? " bias" : "") + (act == null ? "" : " " + act);
    desc += " in " + Arrays.toString(xs) + " out " + Arrays.toString(ys);
    return new OpGraphs.Case(g, 0, 0, desc, false);
  }

  /** Output parameters spanning about ±3σ of the accumulator. */
  private static QuantParams outParams(
      SplittableRandom r, DType type, QuantParams qi, float sw, int[] xs, int... k) {
    int taps = xs[3] * ((k[0] + k[2] - 1) / k[2]) * ((k[1] + k[3] - 1) / k[3]);
    double so = qi.scale() * sw * 74 * 73 * Math.sqrt(taps) * (0.5 + r.nextDouble()) / 40;
    return QuantParams.perTensor((float) so, zp(r, type));
  }

  /** int8 weights per channel (zero points 0), uint8 per tensor with a random zero point. */
  private static int weights(
      LoweredGraphBuilder b, SplittableRandom r, DType type, float[] ws, int[] shape) {
    boolean u8 = type == DType.UINT8;
    QuantParams qw = u8 ? QuantParams.perTensor(ws[0], r.nextInt(256)) : QuantParams.perAxis(ws, 0);
    byte[] wv = new byte[shape[0] * shape[1] * shape[2] * shape[3]];
    for (int i = 0; i < wv.length; i++) wv[i] = (byte) (u8 ? r.nextInt(256) : r.nextInt(255) - 127);
    return b.addTensor(new TensorSpec("w", shape, type, qw, wv));
  }

  /** The size of a convolution of {@code out} (TFLite's SAME/VALID output size). */
  static int conv(String pad, int out, int k, int s) {
    return pad.equals("SAME") ? (out + s - 1) / s : (out - k + s) / s;
  }

  private static int zp(SplittableRandom r, DType t) {
    return r.nextInt(256) - (t == DType.UINT8 ? 0 : 128);
  }

  private static int bias(LoweredGraphBuilder b, SplittableRandom r, float si, float[] ws) {
    float[] bs = new float[ws.length];
    int[] v = new int[ws.length];
    for (int c = 0; c < ws.length; c++) {
      bs[c] = si * ws[c];
      v[c] = r.nextInt(8001) - 4000;
    }
    QuantParams q = ws.length == 1 ? QuantParams.perTensor(bs[0], 0) : QuantParams.perAxis(bs, 0);
    return b.addTensor(new TensorSpec("b", new int[] {ws.length}, DType.INT32, q, v));
  }
}
