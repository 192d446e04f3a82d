package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/** Window geometry of a conv/pool op on NHWC tensors, padding computed as TFLite does. */
record Geometry(
    int batch,
    int inH,
    int inW,
    int inC,
    int outH,
    int outW,
    int outC,
    int kh,
    int kw,
    int strideH,
    int strideW,
    int dilH,
    int dilW,
    int padT,
    int padL) {

  static Geometry of(LoweredGraph g, OpSpec op, int kh, int kw) {
    int[] in = shape4(g.tensor(op.inputs()[0]));
    int[] out = shape4(g.tensor(op.outputs()[0]));
    OpOptions.Window o = op.options(OpOptions.Window.class);
    if (o.strideH() < 1 || o.strideW() < 1 || o.dilationH() < 1 || o.dilationW() < 1) {
      throw new IllegalArgumentException("strides and dilations must be >= 1");
    }
    int ph = pad(o.strideH(), o.dilationH(), in[1], kh, out[1]);
    int pw = pad(o.strideW(), o.dilationW(), in[2], kw, out[2]);
    int expH = outSize(o.padding(), in[1], kh, o.strideH(), o.dilationH());
    int expW = outSize(o.padding(), in[2], kw, o.strideW(), o.dilationW());
    if (expH != out[1] || expW != out[2] || in[0] != out[0]) {
      throw new IllegalArgumentException(
          "output shape "
              + java.util.Arrays.toString(out)
              + " does not match "
              + o.padding()
              + " geometry (expected "
              + expH
              + "x"
              + expW
              + ")");
    }
    return new Geometry(
        in[0],
        in[1],
        in[2],
        in[3],
        out[1],
        out[2],
        out[3],
        kh,
        kw,
        o.strideH(),
        o.strideW(),
        o.dilationH(),
        o.dilationW(),
        ph,
        pw);
  }

  /** Input row read by output row {@code oy} at kernel row {@code ky} (may fall in the padding). */
  int inY(int oy, int ky) {
    return oy * strideH - padT + ky * dilH;
  }

  /**
   * Input column read by output column {@code ox} at kernel column {@code kx} (may fall in the
   * padding).
   */
  int inX(int ox, int kx) {
    return ox * strideW - padL + kx * dilW;
  }

  static int[] shape4(TensorSpec t) {
    int[] s = t.shape();
    if (s.length != 4)
      throw new IllegalArgumentException(
          "tensor '" + t.name() + "' must be 4-D NHWC, got rank " + s.length);
    return s;
  }

  /** TFLite ComputePadding: ((out − 1)·stride + effective kernel − in) / 2, at least 0. */
  static int pad(int stride, int dilation, int in, int k, int out) {
    int eff = (k - 1) * dilation + 1;
    int p = ((out - 1) * stride + eff - in) / 2;
    return Math.max(p, 0);
  }

  static int outSize(String padding, int in, int k, int stride, int dilation) {
    int eff = (k - 1) * dilation + 1;
    return switch (padding) {
      case "SAME" -> (in + stride - 1) / stride;
      case "VALID" -> (in - eff + stride) / stride;
      default -> throw new IllegalArgumentException("unknown padding '" + padding + "'");
    };
  }
}
