package org.qat4j.spark;

import java.io.Serializable;
import java.nio.FloatBuffer;

/**
 * A calibration range accumulator whose state can be shipped and merged: partial states built on
 * disjoint shards and merged in any order give the range of all the data (exactly for {@link
 * MinMax}, within a stated bound for {@link Percentile}).
 */
public interface MergeableRange extends Serializable {
  void accept(FloatBuffer x, int size);

  /** Adds {@code other} (same kind and settings) into this and returns this. */
  MergeableRange merge(MergeableRange other);

  /** {min, max}, containing 0. */
  float[] range();

  /** Makes fresh, empty accumulators of one kind. */
  interface Kind extends Serializable {
    MergeableRange create();
  }

  /**
   * Exact min/max, as the single-node {@code MinMaxEstimator} (starts at 0, so the range contains
   * 0).
   */
  final class MinMax implements MergeableRange {
    private float lo, hi;

    public static Kind kind() {
      return MinMax::new;
    }

    @Override
    public void accept(FloatBuffer x, int size) {
      for (int i = 0; i < size; i++) {
        float v = x.get(i);
        if (v < lo) lo = v;
        else if (v > hi) hi = v;
      }
    }

    @Override
    public MergeableRange merge(MergeableRange other) {
      MinMax o = (MinMax) other;
      lo = Math.min(lo, o.lo);
      hi = Math.max(hi, o.hi);
      return this;
    }

    @Override
    public float[] range() {
      return new float[] {lo, hi};
    }
  }

  /**
   * Percentile range from a {@link LogSketch}: [p_low, p_high] with the single-node {@code
   * PercentileEstimator}'s ranks over all values, each end within relative error {@code alpha} of
   * the exact order statistic (plus {@link LogSketch#ZERO} absolute).
   */
  final class Percentile implements MergeableRange {
    private final double percentile;
    private final LogSketch sketch;

    Percentile(double percentile, double alpha) {
      if (!(percentile > 50 && percentile <= 100))
        throw new IllegalArgumentException("percentile must be in (50, 100], got " + percentile);
      this.percentile = percentile;
      this.sketch = new LogSketch(alpha);
    }

    public static Kind kind(double percentile, double alpha) {
      new Percentile(percentile, alpha);
      return () -> new Percentile(percentile, alpha);
    }

    @Override
    public void accept(FloatBuffer x, int size) {
      sketch.accept(x, size);
    }

    @Override
    public MergeableRange merge(MergeableRange other) {
      Percentile o = (Percentile) other;
      if (o.percentile != percentile)
        throw new IllegalArgumentException(
            "cannot merge percentile " + o.percentile + " into " + percentile);
      sketch.merge(o.sketch);
      return this;
    }

    @Override
    public float[] range() {
      long n = sketch.count();
      if (n == 0) return new float[] {0f, 0f};
      long hiIdx = (long) Math.min(n - 1, Math.ceil(percentile / 100.0 * n) - 1);
      long loIdx = (long) Math.max(0, Math.floor((1 - percentile / 100.0) * n));
      return new float[] {
        (float) Math.min(0, sketch.valueAt(loIdx)),
        (float) Math.max(0, sketch.valueAt(Math.max(hiIdx, 0)))
      };
    }
  }
}
