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

/** Random single-op quantized graphs, one generator per {@link OpKind}. */
final class OpGraphs {
  /** A graph, the real input range for float inputs, and a description for failure messages. */
  record Case(
      LoweredGraph graph, float lo, float hi, String description, boolean xnnpackSameStrideBug) {}

  private final SplittableRandom r;
  private final LoweredGraphBuilder b;
  private String desc = "";
  private boolean sameStrideBug;

  private OpGraphs(OpKind k, SplittableRandom r) {
    this.r = r;
    this.b = new LoweredGraphBuilder(k.name());
  }

  static Case create(OpKind kind, SplittableRandom r) {
    Case c = WireOpGraphs.create(kind, r);
    return c != null ? c : new OpGraphs(kind, r).build(kind);
  }

  private QuantParams qp() {
    return QuantParams.perTensor(0.005f + 0.1f * (float) r.nextDouble(), r.nextInt(256) - 128);
  }

  private int act(String name, int[] shape, QuantParams q) {
    return b.addTensor(TensorSpec.activation(name, shape, DType.INT8, q));
  }

  private int[] nhwc() {
    return new int[] {1, 3 + r.nextInt(6), 3 + r.nextInt(6), 1 + r.nextInt(5)};
  }

  private FusedActivation fused() {
    FusedActivation a = FusedActivation.values()[r.nextInt(4)];
    desc += " " + a;
    return a;
  }

  private String pad() {
    return r.nextBoolean() ? "SAME" : "VALID";
  }

  private static int out(int in, int k, int s, int d, String pad) {
    int eff = (k - 1) * d + 1;
    return pad.equals("SAME") ? (in + s - 1) / s : (in - eff) / s + 1;
  }

  private Case build(OpKind k) {
    if (k == OpKind.QUANTIZE) return quantize(nhwc());
    int[] s = nhwc();
    QuantParams qi = qp();
    int x = act("x", s, qi);
    int y;
    switch (k) {
      case CONV_2D, DEPTHWISE_CONV_2D -> y = conv(k, x, s, qi);
      case FULLY_CONNECTED -> y = fc(x, s, qi);
      case ADD, MUL -> {
        int x2 = act("x2", s, qp());
        y =
            act(
                "y",
                s,
                k == OpKind.MUL
                    ? QuantParams.perTensor(
                        qi.scale() * 0.1f * (1 + r.nextInt(30)), r.nextInt(256) - 128)
                    : qp());
        b.addOp(k, new int[] {x, x2}, new int[] {y}, new OpOptions.Activated(fused()));
        return done(new int[] {x, x2}, y, 0, 0);
      }
      case CONCATENATION -> {
        int[] s2 = s.clone();
        s2[3] = 1 + r.nextInt(4);
        // TFLite's int8 CONCATENATION needs identical input/output params (Int8Lowering
        // requantizes).
        int x2 = act("x2", s2, qi);
        int[] so = s.clone();
        so[3] += s2[3];
        y = act("y", so, qi);
        b.addOp(k, new int[] {x, x2}, new int[] {y}, new OpOptions.Concat(3, FusedActivation.NONE));
        return done(new int[] {x, x2}, y, 0, 0);
      }
      case AVERAGE_POOL_2D, MAX_POOL_2D -> {
        int f = 1 + r.nextInt(3), st = 1 + r.nextInt(2);
        String p = pad();
        if (out(s[1], f, st, 1, p) < 1 || out(s[2], f, st, 1, p) < 1) p = "SAME";
        y = act("y", new int[] {1, out(s[1], f, st, 1, p), out(s[2], f, st, 1, p), s[3]}, qi);
        desc += "filter " + f + " stride " + st + " " + p;
        b.addOp(k, new int[] {x}, new int[] {y}, new OpOptions.Pool(p, st, st, f, f, fused()));
      }
      case MEAN -> {
        boolean keep = r.nextBoolean();
        int axes =
            b.addTensor(new TensorSpec("axes", new int[] {2}, DType.INT32, null, new int[] {1, 2}));
        y = act("y", keep ? new int[] {1, 1, 1, s[3]} : new int[] {1, s[3]}, qp());
        b.addOp(k, new int[] {x, axes}, new int[] {y}, new OpOptions.Reducer(keep));
      }
      case PAD -> {
        int[] p = {0, 0, r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3), 0, 0};
        int pads = b.addTensor(new TensorSpec("pads", new int[] {4, 2}, DType.INT32, null, p));
        y = act("y", new int[] {1, s[1] + p[2] + p[3], s[2] + p[4] + p[5], s[3]}, qi);
        b.addOp(k, new int[] {x, pads}, new int[] {y}, null);
      }
      case RESHAPE -> {
        int[] ns = {1, s[1] * s[2] * s[3]};
        int st = b.addTensor(new TensorSpec("shape", new int[] {2}, DType.INT32, null, ns));
        y = act("y", ns, qi);
        b.addOp(k, new int[] {x, st}, new int[] {y}, new OpOptions.Reshape(ns));
      }
      case SOFTMAX, LOGISTIC -> {
        y = act("y", s, QuantParams.perTensor(1f / 256, -128));
        b.addOp(
            k,
            new int[] {x},
            new int[] {y},
            k == OpKind.SOFTMAX ? new OpOptions.Softmax(1f) : null);
      }
      case HARD_SWISH, RELU, RELU6 -> {
        y = act("y", s, qp());
        b.addOp(k, new int[] {x}, new int[] {y}, null);
      }
      case DEQUANTIZE -> {
        y = b.addTensor(TensorSpec.activation("y", s, DType.FLOAT32, null));
        b.addOp(k, new int[] {x}, new int[] {y}, null);
      }
      default -> throw new IllegalArgumentException("no generator for " + k);
    }
    return done(new int[] {x}, y, 0, 0);
  }

  /**
   * TFLite 2.20's XNNPACK delegate computes wrong outputs (float and int8) for a SAME convolution
   * whose padding would be negative, i.e. (out − 1)·stride + effective kernel < in, in one spatial
   * dimension but not the other — measured with non-square kernels (1×3, 3×1, 1×2 at stride 2 on
   * 6×6); square 1×1 kernels at stride 2 were right on 6×6 and 6×7. The predicate (negative in
   * exactly one dimension) is a conservative superset. BUILTIN is always right.
   */
  private static boolean negativeSamePad(int in, int k, int s, int d, int out) {
    return (out - 1) * s + (k - 1) * d + 1 < in;
  }

  private Case done(int[] in, int y, float lo, float hi) {
    LoweredGraph g = b.setInputs(in).setOutputs(y).build();
    return new Case(
        g,
        lo,
        hi,
        desc
            + " in "
            + Arrays.toString(g.tensor(in[0]).shape())
            + " out "
            + Arrays.toString(g.tensor(y).shape()),
        sameStrideBug);
  }

  /**
   * QUANTIZE variants: float→int8 (inputs spanning the range ±20 %, so rounding ties and clamping
   * occur), int8→int8 requantization, uint8→int8 and int8→uint8 (as the uint8 I/O lowering emits).
   */
  private Case quantize(int[] s) {
    QuantParams qo = qp();
    int v = r.nextInt(4);
    DType in = v == 0 ? DType.FLOAT32 : v == 2 ? DType.UINT8 : DType.INT8;
    QuantParams qi =
        in == DType.FLOAT32
            ? null
            : v == 2 ? QuantParams.perTensor(qo.scale(), qo.zeroPoint() + 128) : qp();
    int x = b.addTensor(TensorSpec.activation("in", s, in, qi));
    DType outType = v == 3 ? DType.UINT8 : DType.INT8;
    if (v == 3) qo = QuantParams.perTensor(qi.scale(), qi.zeroPoint() + 128);
    int y = b.addTensor(TensorSpec.activation("y", s, outType, qo));
    b.addOp(OpKind.QUANTIZE, new int[] {x}, new int[] {y}, null);
    desc = in + "→" + outType;
    float lo = (-128 - qo.zeroPoint()) * qo.scale() * 1.2f,
        hi = (127 - qo.zeroPoint()) * qo.scale() * 1.2f;
    return done(new int[] {x}, y, lo, hi);
  }

  /**
   * Random int8 weights with per-channel scales; the output scale keeps ~±3σ of the accumulator in
   * range.
   */
  private int conv(OpKind k, int x, int[] s, QuantParams qi) {
    boolean dw = k == OpKind.DEPTHWISE_CONV_2D;
    int kh = 1 + r.nextInt(3),
        kw = 1 + r.nextInt(3),
        st = 1 + r.nextInt(2),
        dil = r.nextInt(4) == 0 ? 2 : 1;
    String p = pad();
    if (out(s[1], kh, st, dil, p) < 1 || out(s[2], kw, st, dil, p) < 1) p = "SAME";
    int mult = dw ? 1 + r.nextInt(2) : 1;
    int cout = dw ? s[3] * mult : 1 + r.nextInt(6);
    int depth = dw ? 1 : s[3];
    float[] ws = new float[cout];
    for (int c = 0; c < cout; c++) ws[c] = 0.002f + 0.02f * (float) r.nextDouble();
    byte[] w = weights(cout * kh * kw * depth);
    int[] wshape = dw ? new int[] {1, kh, kw, cout} : new int[] {cout, kh, kw, depth};
    int wt =
        b.addTensor(
            new TensorSpec("w", wshape, DType.INT8, QuantParams.perAxis(ws, dw ? 3 : 0), w));
    int bt = bias(cout, qi.scale(), ws);
    int[] os = {1, out(s[1], kh, st, dil, p), out(s[2], kw, st, dil, p), cout};
    sameStrideBug =
        p.equals("SAME")
            && negativeSamePad(s[1], kh, st, dil, os[1])
                != negativeSamePad(s[2], kw, st, dil, os[2]);
    int y =
        act(
            "y",
            os,
            QuantParams.perTensor(outScale(qi.scale(), ws, kh * kw * depth), r.nextInt(256) - 128));
    desc +=
        kh
            + "x"
            + kw
            + " stride "
            + st
            + " dilation "
            + dil
            + " "
            + p
            + (dw ? " multiplier " + mult : "");
    b.addOp(k, new int[] {x, wt, bt}, new int[] {y}, options(dw, p, st, dil, mult, fused()));
    return y;
  }

  private int fc(int x, int[] s, QuantParams qi) {
    int in = s[1] * s[2] * s[3], units = 1 + r.nextInt(12);
    float ws = 0.002f + 0.02f * (float) r.nextDouble();
    float[] wsa = new float[units];
    Arrays.fill(wsa, ws);
    int wt =
        b.addTensor(
            new TensorSpec(
                "w",
                new int[] {units, in},
                DType.INT8,
                QuantParams.perTensor(ws, 0),
                weights(units * in)));
    int bt =
        b.addTensor(
            new TensorSpec(
                "b",
                new int[] {units},
                DType.INT32,
                QuantParams.perTensor(qi.scale() * ws, 0),
                ints(units)));
    int y =
        act(
            "y",
            new int[] {1, units},
            QuantParams.perTensor(outScale(qi.scale(), wsa, in), r.nextInt(256) - 128));
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {x, wt, bt},
        new int[] {y},
        new OpOptions.Activated(fused()));
    return y;
  }

  private byte[] weights(int n) {
    byte[] w = new byte[n];
    for (int i = 0; i < n; i++) w[i] = (byte) (r.nextInt(255) - 127);
    return w;
  }

  private int[] ints(int n) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) v[i] = r.nextInt(8001) - 4000;
    return v;
  }

  private int bias(int n, float si, float[] ws) {
    float[] bs = new float[n];
    for (int c = 0; c < n; c++) bs[c] = si * ws[c];
    QuantParams q = n == 1 ? QuantParams.perTensor(bs[0], 0) : QuantParams.perAxis(bs, 0);
    return b.addTensor(new TensorSpec("b", new int[] {n}, DType.INT32, q, ints(n)));
  }

  private float outScale(float si, float[] ws, int k) {
    double mean = 0;
    for (float w : ws) mean += w / ws.length;
    return (float) (si * mean * 74 * 73 * Math.sqrt(k) * (0.5 + r.nextDouble()) / 40);
  }

  private static OpOptions options(
      boolean dw, String p, int st, int dil, int mult, FusedActivation a) {
    return dw
        ? new OpOptions.Depthwise(p, st, st, dil, dil, mult, a)
        : new OpOptions.Conv(p, st, st, dil, dil, a);
  }
}
