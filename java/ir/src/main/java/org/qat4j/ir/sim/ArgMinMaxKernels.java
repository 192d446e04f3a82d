package org.qat4j.ir.sim;

/**
 * ARG_MAX / ARG_MIN arithmetic of TFLite's builtin kernel (not yet wired into the op table): the
 * index along one axis of the first extreme value (a later equal value does not replace it),
 * compared on the raw stored values, so quantized tensors need no dequantization (the affine map is
 * increasing). Values are in row-major order; the caller owns the arrays and writes the indices
 * into an INT32 or INT64 output.
 */
final class ArgMinMaxKernels {
  private ArgMinMaxKernels() {}

  /**
   * Indices of the maximum ({@code max}) or minimum along {@code axis} of a tensor of {@code shape}
   * (int values).
   */
  static int[] argInt(int[] x, int[] shape, int axis, boolean max) {
    int[] d = split(shape, axis);
    int outer = d[0], n = d[1], inner = d[2];
    int[] out = new int[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * n * inner + i, best = 0, bestV = x[base];
        for (int k = 1; k < n; k++) {
          int v = x[base + k * inner];
          if (max ? v > bestV : v < bestV) {
            bestV = v;
            best = k;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return out;
  }

  /** Float32 variant; NaN never wins a comparison, as in the C kernel. */
  static int[] argFloat(float[] x, int[] shape, int axis, boolean max) {
    int[] d = split(shape, axis);
    int outer = d[0], n = d[1], inner = d[2];
    int[] out = new int[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * n * inner + i, best = 0;
        float bestV = x[base];
        for (int k = 1; k < n; k++) {
          float v = x[base + k * inner];
          if (max ? v > bestV : v < bestV) {
            bestV = v;
            best = k;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return out;
  }

  /** {outer, axis size, inner}; a negative axis counts from the end, as TFLite allows. */
  private static int[] split(int[] shape, int axis) {
    int a = axis < 0 ? axis + shape.length : axis;
    if (a < 0 || a >= shape.length)
      throw new IllegalArgumentException("axis " + axis + " out of range for rank " + shape.length);
    if (shape[a] < 1) throw new IllegalArgumentException("axis " + axis + " has size " + shape[a]);
    int outer = 1, inner = 1;
    for (int i = 0; i < a; i++) outer *= shape[i];
    for (int i = a + 1; i < shape.length; i++) inner *= shape[i];
    return new int[] {outer, shape[a], inner};
  }
}
