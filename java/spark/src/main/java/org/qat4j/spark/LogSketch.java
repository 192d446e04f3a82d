package org.qat4j.spark;

import java.io.Serializable;
import java.nio.FloatBuffer;
import java.util.function.DoubleUnaryOperator;

/**
 * A mergeable quantile sketch with relative error: values are counted in logarithmic buckets (γ =
 * (1 + α)/(1 − α)), one set per sign, plus a zero bucket for |v| < {@link #ZERO}. The value
 * reported for rank r is within α·|t| + ZERO of the exact r-th smallest value t, whatever the split
 * of the data and the merge order (counts only add). Memory is fixed: about 2·ln(3.4e38/ZERO)/ln γ
 * longs.
 */
public final class LogSketch implements Serializable {
  /** Values with smaller magnitude count as zero. */
  public static final double ZERO = 1e-20;

  private final double alpha;
  private final double logGamma;
  private final int kMin;
  private final long[] pos;
  private final long[] neg;
  private long zeros;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  public LogSketch(double alpha) {
    if (!(alpha >= 1e-4 && alpha <= 0.1))
      throw new IllegalArgumentException("alpha must be in [1e-4, 0.1], got " + alpha);
    this.alpha = alpha;
    this.logGamma = Math.log((1 + alpha) / (1 - alpha));
    this.kMin = (int) Math.floor(Math.log(ZERO) / logGamma);
    int kMax = (int) Math.ceil(Math.log(Float.MAX_VALUE) / logGamma) + 1;
    this.pos = new long[kMax - kMin + 1];
    this.neg = new long[kMax - kMin + 1];
  }

  public double alpha() {
    return alpha;
  }

  public void accept(FloatBuffer x, int size) {
    for (int i = 0; i < size; i++) add(x.get(i));
  }

  public void add(double v) {
    if (Double.isNaN(v)) throw new IllegalArgumentException("NaN in calibration values");
    min = Math.min(min, v);
    max = Math.max(max, v);
    double a = Math.abs(v);
    if (a < ZERO) {
      zeros++;
      return;
    }
    int k = (int) Math.ceil(Math.log(Math.min(a, Float.MAX_VALUE)) / logGamma) - kMin;
    k = Math.max(0, Math.min(pos.length - 1, k));
    if (v > 0) pos[k]++;
    else neg[k]++;
  }

  public LogSketch merge(LogSketch o) {
    if (o.alpha != alpha)
      throw new IllegalArgumentException(
          "cannot merge a sketch with alpha " + o.alpha + " into " + alpha);
    for (int i = 0; i < pos.length; i++) {
      pos[i] += o.pos[i];
      neg[i] += o.neg[i];
    }
    zeros += o.zeros;
    min = Math.min(min, o.min);
    max = Math.max(max, o.max);
    return this;
  }

  public long count() {
    long c = zeros;
    for (int i = 0; i < pos.length; i++) c += pos[i] + neg[i];
    return c;
  }

  /**
   * Estimate of the {@code rank}-th smallest value (0-based), clamped to the exact min and max; the
   * extremes are exact.
   */
  public double valueAt(long rank) {
    long n = count();
    if (rank < 0 || rank >= n)
      throw new IllegalArgumentException("rank " + rank + " outside [0, " + n + ")");
    if (rank == 0) return min;
    if (rank == n - 1) return max;
    long seen = 0;
    for (int i = neg.length - 1; i >= 0; i--) {
      seen += neg[i];
      if (rank < seen) return clamp(-bucketValue(i));
    }
    seen += zeros;
    if (rank < seen) return 0;
    for (int i = 0; i < pos.length; i++) {
      seen += pos[i];
      if (rank < seen) return clamp(bucketValue(i));
    }
    throw new IllegalStateException("rank " + rank + " not found in " + seen + " values");
  }

  /** Exact smallest value seen (+∞ when empty). */
  public double min() {
    return min;
  }

  /** Exact largest value seen (−∞ when empty). */
  public double max() {
    return max;
  }

  /**
   * Σ count·f(v) over the values, each replaced by its bucket's representative (within α·|v| of it,
   * clamped to the exact min and max; the zero bucket by 0).
   */
  public double sum(DoubleUnaryOperator f) {
    double s = zeros == 0 ? 0 : zeros * f.applyAsDouble(0);
    for (int i = 0; i < pos.length; i++) {
      if (pos[i] != 0) s += pos[i] * f.applyAsDouble(clamp(bucketValue(i)));
      if (neg[i] != 0) s += neg[i] * f.applyAsDouble(clamp(-bucketValue(i)));
    }
    return s;
  }

  // Magnitudes in (γ^(k−1), γ^k] are represented by 2γ^k/(γ+1): relative error at most α.
  private double bucketValue(int i) {
    double gamma = Math.exp(logGamma);
    return 2 * Math.exp((i + kMin) * logGamma) / (gamma + 1);
  }

  private double clamp(double v) {
    return Math.max(min, Math.min(max, v));
  }
}
