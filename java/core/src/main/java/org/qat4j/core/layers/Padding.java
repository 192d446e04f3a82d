package org.qat4j.core.layers;

/** Convolution/pooling padding with TFLite's arithmetic (tensorflow/lite/kernels/padding.h). */
public enum Padding {
  SAME,
  VALID;

  /** Output size along one axis for input {@code in}, kernel {@code k}, stride, dilation. */
  public int outSize(int in, int k, int stride, int dilation) {
    int eff = (k - 1) * dilation + 1;
    return this == SAME ? (in + stride - 1) / stride : (in - eff + stride) / stride;
  }

  /** Padding before the first element (the smaller half; the odd pixel goes after). */
  public int padBefore(int in, int k, int stride, int dilation) {
    if (this == VALID) return 0;
    int eff = (k - 1) * dilation + 1;
    int out = outSize(in, k, stride, dilation);
    int total = Math.max((out - 1) * stride + eff - in, 0);
    return total / 2;
  }
}
