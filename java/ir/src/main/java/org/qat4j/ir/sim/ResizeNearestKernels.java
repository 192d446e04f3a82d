package org.qat4j.ir.sim;

/**
 * RESIZE_NEAREST_NEIGHBOR of TFLite's builtin kernel (not yet wired into the op table): each output
 * pixel copies the input pixel at min(floor((o + offset)·scale), in − 1), or C-rounded with
 * align_corners, with offset ½ and a floor of 0 under half_pixel_centers; scale = in/out (or (in −
 * 1)/(out − 1) with align_corners and out > 1), in float32. Values are copied unchanged (any type;
 * TFLite requires equal input and output quantization). Layout NHWC.
 */
final class ResizeNearestKernels {
  private ResizeNearestKernels() {}

  /** Source index of output index {@code o} along one axis. */
  static int source(int o, int in, int out, boolean alignCorners, boolean halfPixel) {
    float scale = alignCorners && out > 1 ? (in - 1) / (float) (out - 1) : in / (float) out;
    float offset = halfPixel ? 0.5f : 0f;
    float pos = (o + offset) * scale;
    int v = alignCorners ? (int) org.qat4j.ir.arith.QuantMath.cRound(pos) : (int) Math.floor(pos);
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
