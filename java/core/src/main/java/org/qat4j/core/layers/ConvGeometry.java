package org.qat4j.core.layers;

import java.util.Arrays;
import java.util.Locale;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;

/**
 * Window geometry of a 2-D convolution or pooling over an NHWC input: sizes, strides, dilations and
 * TFLite padding (smaller half of the total padding before, odd pixel after).
 */
record ConvGeometry(
    int h,
    int w,
    int c,
    int kh,
    int kw,
    int sh,
    int sw,
    int dh,
    int dw,
    int oh,
    int ow,
    int padTop,
    int padLeft) {

  /**
   * Geometry for a per-sample input shape [H, W, C]; throws naming {@code layer} when it does not
   * fit.
   */
  static ConvGeometry of(
      Layer layer, int[] in, int kh, int kw, int sh, int sw, int dh, int dw, Padding p) {
    if (in.length != 3) {
      throw new ShapeException(
          layer.name(), "expects an image input [H, W, C], got " + Arrays.toString(in));
    }
    int oh = p.outSize(in[0], kh, sh, dh), ow = p.outSize(in[1], kw, sw, dw);
    if (oh <= 0 || ow <= 0) {
      throw new ShapeException(
          layer.name(),
          String.format(
              Locale.ROOT,
              "window %dx%d (dilation %dx%d, %s) does not fit input %s; output would be [%d, %d]",
              kh,
              kw,
              dh,
              dw,
              p,
              Arrays.toString(in),
              oh,
              ow));
    }
    return new ConvGeometry(
        in[0],
        in[1],
        in[2],
        kh,
        kw,
        sh,
        sw,
        dh,
        dw,
        oh,
        ow,
        p.padBefore(in[0], kh, sh, dh),
        p.padBefore(in[1], kw, sw, dw));
  }

  /** True when a window is the identity gather (1x1, stride 1, no padding). */
  boolean pointwise() {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && padTop == 0 && padLeft == 0;
  }

  static void positive(String layer, String what, int... v) {
    for (int x : v) {
      if (x <= 0)
        throw new IllegalArgumentException(
            "layer '" + layer + "': " + what + " must be > 0, got " + Arrays.toString(v));
    }
  }

  static int[] pair(int[] v, String layer, String what) {
    if (v.length == 1) return new int[] {v[0], v[0]};
    if (v.length != 2)
      throw new IllegalArgumentException(
          "layer '" + layer + "': " + what + " needs 1 or 2 values, got " + Arrays.toString(v));
    return v.clone();
  }
}
