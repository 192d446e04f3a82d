package org.qat4j.quant.lower;

/**
 * Weight layout conversions from core (Keras) layouts to TFLite layouts (BatchNorm folding is
 * quant.layers.BatchNormFold). All arrays are row-major float32; inputs are never modified. Shared
 * by float and int8 lowering.
 */
public final class WeightLayouts {
  private WeightLayouts() {}

  /** Conv2D kernel HWIO [kh, kw, in, out] → OHWI [out, kh, kw, in]. */
  public static float[] hwioToOhwi(float[] k, int kh, int kw, int in, int out) {
    check(k, kh * kw * in * out, "conv kernel");
    float[] r = new float[k.length];
    for (int y = 0; y < kh; y++) {
      for (int x = 0; x < kw; x++) {
        for (int i = 0; i < in; i++) {
          int src = ((y * kw + x) * in + i) * out;
          for (int o = 0; o < out; o++) r[((o * kh + y) * kw + x) * in + i] = k[src + o];
        }
      }
    }
    return r;
  }

  /**
   * Depthwise kernel [kh, kw, in, mult] → TFLite [1, kh, kw, in·mult]: output channel c·mult + m,
   * which is the same row-major order, so this is a copy.
   */
  public static float[] depthwiseToTflite(float[] k, int kh, int kw, int in, int mult) {
    check(k, kh * kw * in * mult, "depthwise kernel");
    return k.clone();
  }

  /** Dense kernel [in, units] → FULLY_CONNECTED weights [units, in]. */
  public static float[] denseToTflite(float[] k, int in, int units) {
    return columnsToTflite(k, in, units, 0, units);
  }

  /**
   * Columns [from, from + n) of a kernel [rows, cols] → FULLY_CONNECTED weights [n, rows] (an
   * LSTM/GRU gate block).
   */
  public static float[] columnsToTflite(float[] k, int rows, int cols, int from, int n) {
    check(k, rows * cols, "kernel");
    if (from < 0 || n < 0 || from + n > cols)
      throw new IllegalArgumentException(
          "columns [" + from + ", " + (from + n) + ") outside a kernel of " + cols);
    float[] r = new float[rows * n];
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < n; j++) r[j * rows + i] = k[i * cols + from + j];
    return r;
  }

  private static void check(float[] k, int n, String what) {
    if (k.length != n)
      throw new IllegalArgumentException(what + " has " + k.length + " values, expected " + n);
  }
}
