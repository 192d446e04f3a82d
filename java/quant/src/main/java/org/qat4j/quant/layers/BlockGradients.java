package org.qat4j.quant.layers;

import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.ir.internal.VectorApi;

/**
 * The backward algebra of a {@link ConvBatchNorm} block with respect to its conv output z (NHWC,
 * channel fastest), in one place for the block and its fused training paths ({@link ConvPoolQat},
 * {@link BlockPoolQat}): batch-statistics BN with the normalizer D = sf·σ_B, and frozen BN. Writes
 * the block's z gradient ({@code dz}) and the BN (and bias) parameter gradients; returns dL/dsf per
 * channel for the kernel gradient.
 */
final class BlockGradients {
  private BlockGradients() {}

  /**
   * The per-channel batch backward coefficients of y = γ·(z − μ)/D + β from Σ g and dγ = Σ g·(z −
   * μ)/D: pqr = {p, q, r} with dz = p·g + q·(z − μ) + r; writes the β and γ gradients (and the
   * bias's, 0: it cancels) and returns dL/dsf through D (∂D/∂sf = ε/σ_B at fixed z).
   */
  static double[] coefficients(
      ConvBatchNorm b, double[] sumG, double[] dGamma, int rows, double[][] pqr) {
    BatchNormalization bn = b.batchNorm();
    double[] dsf = new double[b.channels()];
    for (int c = 0; c < dsf.length; c++) {
      double gamma = bn.gamma().value().get(c), d = b.scaleD[c], dg = dGamma[c];
      pqr[0][c] = gamma / d;
      pqr[1][c] = -gamma * dg / (rows * d * d);
      pqr[2][c] = -gamma / d * sumG[c] / rows;
      bn.beta().grad().set(c, (float) sumG[c]);
      bn.gamma().grad().set(c, (float) dg);
      double sb = b.sigmaB[c];
      dsf[c] = -gamma * dg * bn.epsilon() / (b.sf[c] * sb * sb);
      if (b.bias() != null) b.bias().grad().set(c, 0f);
    }
    return dsf;
  }

  /** {p, q, r} as floats, the elementwise passes' coefficients. */
  private static float[][] floats(double[][] pqr) {
    float[][] f = new float[3][pqr[0].length];
    for (int i = 0; i < 3; i++) for (int c = 0; c < f[i].length; c++) f[i][c] = (float) pqr[i][c];
    return f;
  }

  /** dγ = Σ g·(z − μ) / D per channel. */
  private static double[] dGamma(ConvBatchNorm b, double[] s) {
    double[] dg = new double[s.length];
    for (int c = 0; c < dg.length; c++) dg[c] = s[c] / b.scaleD[c];
    return dg;
  }

  /** Batch-statistics backward from the gradient of the block's output (src), gated by w. */
  static double[] batch(ConvBatchNorm b, Tensor src, BnFold.Window w) {
    Tensor z = b.z;
    int rows = z.size() / b.channels();
    b.gz = Tensor.reuse(b.gz, z.shape());
    // The plain gate is scalar work (C2 17 vectorizes no float-bit masks): apply it once, into gz.
    // On the Vector API the gate is cheap, and gating twice saves writing and reading gz.
    boolean once = w != null && !VectorApi.on();
    double[][] s = BnFold.gradSums(src, z, b.mean, b.affineMul, b.affineAdd, w, once ? b.gz : null);
    double[][] pqr = new double[3][b.channels()];
    double[] dsf = coefficients(b, s[0], dGamma(b, s[1]), rows, pqr);
    float[][] f = floats(pqr);
    BnFold.bnInputGrad(
        once ? b.gz : src,
        z,
        b.mean,
        f[0],
        f[1],
        f[2],
        b.affineMul,
        b.affineAdd,
        once ? null : w,
        b.gz);
    b.dz = b.gz;
    return dsf;
  }

  /**
   * Frozen/inference backward of y = z + β + (b − moving_mean)·sf: dz = g. Returns dL/dsf through
   * the bias.
   */
  static double[] frozen(ConvBatchNorm b, Tensor src, BnFold.Window w) {
    Tensor z = b.z;
    int channels = b.channels();
    if (w != null) b.gz = Tensor.reuse(b.gz, z.shape());
    double[] sum = BnFold.maskAndSum(src, z, b.affineAdd, w, w == null ? null : b.gz, channels);
    b.dz = w == null ? src : b.gz;
    float[] bias = b.biasValues();
    BatchNormalization bn = b.batchNorm();
    double[] dsf = new double[channels];
    for (int c = 0; c < channels; c++) {
      bn.beta().grad().set(c, (float) sum[c]);
      bn.gamma().grad().set(c, 0f);
      dsf[c] = sum[c] * (bias[c] - bn.movingMean().value().get(c));
      if (b.bias() != null) b.bias().grad().set(c, (float) (sum[c] * b.sf[c]));
    }
    return dsf;
  }
}
