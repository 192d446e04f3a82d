package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.QuantMath;

/**
 * RESIZE_NEAREST_NEIGHBOR of TFLite's builtin kernel: each output pixel copies the input pixel at
 * min(floor((o + offset)·scale), in − 1), or C-rounded with align_corners, with offset ½ and a
 * floor of 0 under half_pixel_centers; scale = in/out (or (in − 1)/(out − 1) with align_corners and
 * out > 1), in float32. Values are copied unchanged (any type; TFLite requires equal input and
 * output quantization). Layout NHWC.
 */
final class ResizeNearestKernels {
  private ResizeNearestKernels() {}

  /** The kernel of one RESIZE_NEAREST_NEIGHBOR (FLOAT32, INT32, INT8 or UINT8 values). */
  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] d = geometry(g, op, consts);
    OpOptions.Resize o = op.options(OpOptions.Resize.class);
    boolean align = o.alignCorners(), half = o.halfPixelCenters();
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (g.tensor(xi).type() != DType.FLOAT32)
      return v ->
          resize((int[]) v[xi], (int[]) v[yi], d[0], d[1], d[2], d[3], d[4], d[5], align, half);
    return v -> {
      float[] x = (float[]) v[xi], y = (float[]) v[yi];
      int c = d[3], k = 0;
      for (int n = 0; n < d[0]; n++)
        for (int oy = 0; oy < d[4]; oy++) {
          int iy = source(oy, d[1], d[4], align, half);
          for (int ox = 0; ox < d[5]; ox++, k += c)
            System.arraycopy(
                x, ((n * d[1] + iy) * d[2] + source(ox, d[2], d[5], align, half)) * c, y, k, c);
        }
    };
  }

  /**
   * {batch, inH, inW, channels, outH, outW} of a resize: NHWC input 0 and output of one type, a
   * constant INT32 size [outH, outW] as input 1 matching the output shape.
   */
  static int[] geometry(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec x = g.tensor(in[0]), y = g.tensor(op.outputs()[0]);
    if (!(consts[in[1]] instanceof int[] size) || size.length != 2)
      throw new IllegalArgumentException("the size input must be a constant INT32 [2]");
    int[] xs = x.shape(), ys = y.shape();
    if (xs.length != 4 || ys.length != 4 || x.type() != y.type())
      throw new IllegalArgumentException("input and output must be NHWC tensors of one type");
    if (ys[0] != xs[0]
        || ys[3] != xs[3]
        || ys[1] != size[0]
        || ys[2] != size[1]
        || size[0] < 1
        || size[1] < 1)
      throw new IllegalArgumentException(
          "output "
              + Arrays.toString(ys)
              + " does not match input "
              + Arrays.toString(xs)
              + " resized to "
              + Arrays.toString(size));
    return new int[] {xs[0], xs[1], xs[2], xs[3], ys[1], ys[2]};
  }

  /** Source index of output index {@code o} along one axis. */
  static int source(int o, int in, int out, boolean alignCorners, boolean halfPixel) {
    float scale = alignCorners && out > 1 ? (in - 1) / (float) (out - 1) : in / (float) out;
    float offset = halfPixel ? 0.5f : 0f;
    float pos = (o + offset) * scale;
    int v = alignCorners ? (int) QuantMath.cRound(pos) : (int) Math.floor(pos);
    v = Math.min(v, in - 1);
    return halfPixel ? Math.max(0, v) : v;
  }

  /**
   * Copies NHWC {@code x} [batch, inH, inW, c] into {@code y} [batch, outH, outW, c] (int values).
   */
  static void resize(
      int[] x,
      int[] y,
      int batch,
      int inH,
      int inW,
      int c,
      int outH,
      int outW,
      boolean align,
      boolean half) {
    int o = 0;
    for (int n = 0; n < batch; n++) {
      for (int oy = 0; oy < outH; oy++) {
        int iy = source(oy, inH, outH, align, half);
        for (int ox = 0; ox < outW; ox++) {
          int ix = source(ox, inW, outW, align, half);
          System.arraycopy(x, ((n * inH + iy) * inW + ix) * c, y, o, c);
          o += c;
        }
      }
    }
  }
}
