package org.qat4j.quant.calib;

import java.nio.FloatBuffer;

/**
 * The range clips the tails: [p_low, p_high] percentiles of the values (e.g. 99.99), then widened
 * to 0.
 */
public final class PercentileEstimator implements RangeEstimator {
  private final double percentile;
  private final int samples;

  /**
   * @param percentile in (50, 100], e.g. 99.99
   */
  public PercentileEstimator(double percentile) {
    this(percentile, 1 << 20);
  }

  public PercentileEstimator(double percentile, int samples) {
    if (!(percentile > 50 && percentile <= 100))
      throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
    this.percentile = percentile;
    this.samples = samples;
  }

  @Override
  public Accumulator newAccumulator(int numBits) {
    Samples s = new Samples(samples);
    return new Accumulator() {
      @Override
      public void accept(FloatBuffer x, int size) {
        s.accept(x, size);
      }

      @Override
      public float[] range() {
        float[] v = s.sorted();
        if (v.length == 0) return new float[] {0f, 0f};
        int hiIdx = (int) Math.min(v.length - 1, Math.ceil(percentile / 100.0 * v.length) - 1);
        int loIdx = (int) Math.max(0, Math.floor((1 - percentile / 100.0) * v.length));
        return new float[] {Math.min(0f, v[loIdx]), Math.max(0f, v[Math.max(hiIdx, 0)])};
      }
    };
  }

  @Override
  public String toString() {
    return "Percentile(" + percentile + ")";
  }
}
