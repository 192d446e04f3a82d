package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;

/**
 * RESIZE_BILINEAR arithmetic of TFLite 2.20's builtin kernels on x86: uint8 through the optimized
 * float-weight path (float32 source coordinates and corner weights, Σ v·w + 0.5 truncated; also
 * exact for the special 8× half-pixel kernel, see {@link #uint8}), int8 (and int16) through the
 * integer path with 10-bit fixed-point coordinates and a 20-bit product rounded half away from
 * zero. Both honour align_corners and half_pixel_centers. Layout NHWC; values are raw integers (no
 * requantization: TFLite requires equal input and output quantization); arrays are caller-owned.
 */
final class ResizeBilinearKernels {
  private ResizeBilinearKernels() {}

  /** The kernel of one RESIZE_BILINEAR on INT8 or UINT8 values (float32 is not simulated). */
  static Simulator.Kernel create(LoweredGraph g, OpSpec op, Object[] consts) {
    int[] d = ResizeNearestKernels.geometry(g, op, consts);
    OpOptions.Resize o = op.options(OpOptions.Resize.class);
    Shape s = new Shape(d[0], d[1], d[2], d[3], d[4], d[5], o.alignCorners(), o.halfPixelCenters());
    DType t = g.tensor(op.inputs()[0]).type();
    int xi = op.inputs()[0], yi = op.outputs()[0];
    if (t == DType.UINT8) {
      return v -> uint8((int[]) v[xi], (int[]) v[yi], s);
    }
    if (t != DType.INT8)
      throw new IllegalArgumentException(t + " RESIZE_BILINEAR is not simulated");
    return v -> integer((int[]) v[xi], (int[]) v[yi], s);
  }

  /**
   * Geometry of one resize: batch, input and output spatial sizes, channels and the two coordinate
   * flags.
   */
  record Shape(
      int batch,
      int inH,
      int inW,
      int channels,
      int outH,
      int outW,
      boolean alignCorners,
      boolean halfPixel) {
    Shape {
      if (batch < 1 || inH < 1 || inW < 1 || channels < 1 || outH < 1 || outW < 1) {
        throw new IllegalArgumentException("resize sizes must be positive: " + this);
      }
      if (alignCorners && halfPixel)
        throw new IllegalArgumentException("align_corners and half_pixel_centers are exclusive");
    }

    int in(int n, int y, int x, int c) {
      return ((n * inH + y) * inW + x) * channels + c;
    }
  }

  /**
   * uint8 (values 0..255): float32 weights, then (uint8)(Σ v·w + 0.5f). TFLite's own kernel for
   * exact 8× half-pixel upscales of depth % 8 == 0 (ResizeBilinear888Uint8: 8.8 fixed point, 0.5
   * pre-added, upper byte kept) gives the same values: its weights are whole sixteenths, so every
   * float32 product and sum here is exact and both round Σ v·w half up.
   */
  static void uint8(int[] x, int[] y, Shape s) {
    float hs = floatScale(s.inH(), s.outH(), s.alignCorners()),
        ws = floatScale(s.inW(), s.outW(), s.alignCorners());
    int o = 0;
    for (int n = 0; n < s.batch(); n++) {
      for (int oy = 0; oy < s.outH(); oy++) {
        float iy = source(oy, hs, s.halfPixel());
        int y0 = Math.max((int) Math.floor(iy), 0), y1 = Math.min((int) Math.ceil(iy), s.inH() - 1);
        for (int ox = 0; ox < s.outW(); ox++) {
          float ix = source(ox, ws, s.halfPixel());
          int x0 = Math.max((int) Math.floor(ix), 0),
              x1 = Math.min((int) Math.ceil(ix), s.inW() - 1);
          float dy = iy - y0, dx = ix - x0;
          float w00 = (1 - dy) * (1 - dx), w01 = (1 - dy) * dx, w10 = dy * (1 - dx), w11 = dy * dx;
          for (int c = 0; c < s.channels(); c++) {
            float v =
                x[s.in(n, y0, x0, c)] * w00
                    + x[s.in(n, y0, x1, c)] * w01
                    + x[s.in(n, y1, x0, c)] * w10
                    + x[s.in(n, y1, x1, c)] * w11
                    + 0.5f;
            y[o++] = Math.min((int) v, 255); // the C cast truncates; Σ w = 1 keeps v below 256
          }
        }
      }
    }
  }

  /**
   * int8/int16 integer path: 10-bit coordinates, 20-bit weighted sum, rounded half away from zero.
   */
  static void integer(int[] x, int[] y, Shape s) {
    int hs = fixedScale(s.inH(), s.outH(), s.alignCorners()),
        ws = fixedScale(s.inW(), s.outW(), s.alignCorners());
    int o = 0;
    for (int n = 0; n < s.batch(); n++) {
      for (int oy = 0; oy < s.outH(); oy++) {
        int iy = fixedSource(oy, hs, s.halfPixel());
        int y0 = Math.max(iy / 1024, 0), y1 = Math.min((iy + 1023) / 1024, s.inH() - 1);
        long fy = iy - 1024L * y0;
        for (int ox = 0; ox < s.outW(); ox++) {
          int ix = fixedSource(ox, ws, s.halfPixel());
          int x0 = Math.max(ix / 1024, 0), x1 = Math.min((ix + 1023) / 1024, s.inW() - 1);
          long fx = ix - 1024L * x0;
          for (int c = 0; c < s.channels(); c++) {
            long sum =
                x[s.in(n, y0, x0, c)] * (1024 - fy) * (1024 - fx)
                    + x[s.in(n, y1, x0, c)] * fy * (1024 - fx)
                    + x[s.in(n, y0, x1, c)] * (1024 - fy) * fx
                    + x[s.in(n, y1, x1, c)] * fy * fx;
            long round = sum > 0 ? 1 << 19 : -(1 << 19);
            y[o++] = (int) ((sum + round) / (1 << 20)); // '/' truncates toward zero, as in C
          }
        }
      }
    }
  }

  private static float floatScale(int in, int out, boolean align) {
    return align && out > 1 ? (float) (in - 1) / (out - 1) : (float) in / out;
  }

  private static float source(int o, float scale, boolean halfPixel) {
    return halfPixel ? (o + 0.5f) * scale - 0.5f : o * scale;
  }

  private static int fixedScale(int in, int out, boolean align) {
    return align && out > 1
        ? ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1)
        : ((1 << 10) * in + out / 2) / out;
  }

  private static int fixedSource(int o, int scale10, boolean halfPixel) {
    return halfPixel ? o * scale10 + scale10 / 2 - (1 << 9) : o * scale10;
  }
}
