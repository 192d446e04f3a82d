package org.qat4j.quant.lower;

/**
 * Explicit form of a SAME convolution that TFLite 2.20's XNNPACK delegate miscomputes: when the
 * implicit total padding {@code (out − 1)·stride + (k − 1)·dilation + 1 − in} (out = ceil(in /
 * stride)) is negative in exactly one spatial dimension. TFLite clamps a negative total to 0, so in
 * that dimension SAME is VALID (same output size, no padding); the other dimension gets its SAME
 * padding (before = total/2, after = the rest) from an explicit zero PAD. Zero (float) or
 * zero-point (int8) padding followed by a VALID convolution computes the same sums as SAME.
 */
record SamePadding(int top, int bottom, int left, int right) {
  /** TFLite's total SAME padding of one dimension before clamping (may be negative). */
  static int total(int in, int k, int stride, int dilation) {
    int out = (in + stride - 1) / stride;
    return (out - 1) * stride + (k - 1) * dilation + 1 - in;
  }

  /**
   * The explicit padding replacing SAME for this geometry ({@code in} = [H, W, C] per sample,
   * kernel kh×kw), or null when SAME stays (both totals negative, or neither).
   */
  static SamePadding replacement(int[] in, int kh, int kw, int[] strides, int[] dilation) {
    int th = total(in[0], kh, strides[0], dilation[0]),
        tw = total(in[1], kw, strides[1], dilation[1]);
    if ((th < 0) == (tw < 0)) return null;
    th = Math.max(th, 0);
    tw = Math.max(tw, 0);
    return new SamePadding(th / 2, th - th / 2, tw / 2, tw - tw / 2);
  }

  /** True when no PAD is needed (VALID alone is equivalent). */
  boolean none() {
    return top == 0 && bottom == 0 && left == 0 && right == 0;
  }

  /** TFLite PAD's [4, 2] paddings for NHWC. */
  int[] paddings() {
    return new int[] {0, 0, top, bottom, left, right, 0, 0};
  }

  /** The padded per-sample shape [H', W', C] of {@code in}. */
  int[] padded(int[] in) {
    return new int[] {in[0] + top + bottom, in[1] + left + right, in[2]};
  }
}
