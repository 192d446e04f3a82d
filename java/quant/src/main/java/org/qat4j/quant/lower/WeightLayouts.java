package org.qat4j.quant.lower;

/**
 * Weight layout conversions from core (Keras) layouts to TFLite layouts, and BatchNorm folding. All
 * arrays are row-major float32; inputs are never modified. Shared by float and int8 lowering.
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
    check(k, in * units, "dense kernel");
    float[] r = new float[k.length];
    for (int i = 0; i < in; i++) for (int u = 0; u < units; u++) r[u * in + i] = k[i * units + u];
    return r;
  }

  /** Per-channel BN factor gamma/sqrt(var + eps), in double then rounded to float. */
  public static float[] bnScale(float[] gamma, float[] var, float eps) {
    float[] s = new float[gamma.length];
    for (int c = 0; c < s.length; c++) s[c] = (float) (gamma[c] / Math.sqrt(var[c] + (double) eps));
    return s;
  }

  /** BN shift beta − mean·scale for a standalone (unfolded) BN. */
  public static float[] bnShift(float[] beta, float[] mean, float[] scale) {
    float[] b = new float[beta.length];
    for (int c = 0; c < b.length; c++) b[c] = (float) (beta[c] - (double) mean[c] * scale[c]);
    return b;
  }

  /**
   * Folds BN into a TFLite-layout weight whose output channel is dimension {@code channelDim} (0
   * for OHWI conv and [out,in] FC, last for depthwise): w'[..c..] = w·s[c].
   */
  public static float[] foldWeights(float[] w, int[] shape, int channelDim, float[] scale) {
    int channels = shape[channelDim];
    if (channels != scale.length)
      throw new IllegalArgumentException(
          "BN has " + scale.length + " channels, weights have " + channels);
    int inner = 1;
    for (int d = channelDim + 1; d < shape.length; d++) inner *= shape[d];
    float[] r = new float[w.length];
    for (int i = 0; i < w.length; i++)
      r[i] = (float) ((double) w[i] * scale[(i / inner) % channels]);
    return r;
  }

  /** Folded bias (b − mean)·s + beta; {@code bias} may be null (zeros). */
  public static float[] foldBias(float[] bias, float[] mean, float[] beta, float[] scale) {
    float[] r = new float[scale.length];
    for (int c = 0; c < r.length; c++) {
      double b = bias == null ? 0 : bias[c];
      r[c] = (float) ((b - mean[c]) * scale[c] + beta[c]);
    }
    return r;
  }

  private static void check(float[] k, int n, String what) {
    if (k.length != n)
      throw new IllegalArgumentException(what + " has " + k.length + " values, expected " + n);
  }
}
