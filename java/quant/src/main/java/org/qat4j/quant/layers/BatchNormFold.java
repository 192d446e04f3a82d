package org.qat4j.quant.layers;

import org.qat4j.core.layers.BatchNormalization;

/**
 * The one BatchNormalization fold, used by QAT training ({@link ConvBatchNorm}), int8 export and
 * float export: from the moving statistics, per channel, multiplier m = γ·rsqrt(var + ε) and shift
 * = β − mean·m, so a folded weight is w·m and a folded bias b·m + shift. All in float32, one
 * rounding per step, in the order TensorFlow's converter folds an inference-mode BN into the
 * preceding Conv/Depthwise/FullyConnected (TFMOT's default 8-bit scheme does not fold in training
 * and leaves it to the converter). rsqrt is rounded once from double (correctly rounded in
 * practice). Arrays are fresh; inputs are never modified.
 */
public record BatchNormFold(float[] multiplier, float[] shift) {

  /** The fold of {@code bn}'s current gamma, beta and moving statistics. */
  public static BatchNormFold of(BatchNormalization bn) {
    float[] gamma = bn.gamma().value().toArray(),
        beta = bn.beta().value().toArray(),
        mean = bn.movingMean().value().toArray(),
        var = bn.movingVariance().value().toArray();
    float eps = bn.epsilon();
    float[] m = new float[gamma.length], t = new float[gamma.length];
    for (int c = 0; c < m.length; c++) {
      float rsqrt = (float) (1.0 / Math.sqrt(var[c] + eps));
      m[c] = gamma[c] * rsqrt;
      t[c] = beta[c] - mean[c] * m[c];
    }
    return new BatchNormFold(m, t);
  }

  /** Channel count. */
  public int channels() {
    return multiplier.length;
  }

  /**
   * w·m[c] for a weight whose output channel is dimension {@code channelDim} of {@code shape} (0
   * for OHWI conv and [out, in] FC, last for HWIO, depthwise and Keras Dense kernels).
   */
  public float[] weights(float[] w, int[] shape, int channelDim) {
    int channels = shape[channelDim];
    if (channels != multiplier.length)
      throw new IllegalArgumentException(
          "BN has " + multiplier.length + " channels, weights have " + channels);
    int inner = 1;
    for (int d = channelDim + 1; d < shape.length; d++) inner *= shape[d];
    float[] r = new float[w.length];
    for (int i = 0; i < w.length; i++) r[i] = w[i] * multiplier[(i / inner) % channels];
    return r;
  }

  /** b·m + shift per channel; {@code bias} null means zeros (the result is then the shift). */
  public float[] bias(float[] bias) {
    float[] r = new float[multiplier.length];
    for (int c = 0; c < r.length; c++)
      r[c] = bias == null ? shift[c] : bias[c] * multiplier[c] + shift[c];
    return r;
  }
}
