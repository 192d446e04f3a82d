package org.qat4j.spark;

import java.io.Serializable;
import java.nio.FloatBuffer;
import org.qat4j.quant.quantizers.FakeQuant;

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

  /**
   * MSE-optimal clipping from a {@link LogSketch}: the single-node {@code MseEstimator}'s search
   * (the min/max range shrunk by 1, 0.99, … 0.30, both ends together; 8 bits) with each value's
   * squared fake-quant error taken at its bucket representative. |fake-quant(v) − v| is 1-Lipschitz
   * in v, so each value's error moves by at most α·|v|: the chosen range's true error exceeds the
   * best scanned range's by at most twice Σ(2·|e(v)|·α·|v| + (α·v)²).
   */
  final class Mse implements MergeableRange {
    private final LogSketch sketch;

    Mse(double alpha) {
      this.sketch = new LogSketch(alpha);
    }

    public static Kind kind(double alpha) {
      new Mse(alpha);
      return () -> new Mse(alpha);
    }

    @Override
    public void accept(FloatBuffer x, int size) {
      sketch.accept(x, size);
    }

    @Override
    public MergeableRange merge(MergeableRange other) {
      sketch.merge(((Mse) other).sketch);
      return this;
    }

    @Override
    public float[] range() {
      if (sketch.count() == 0) return new float[] {0f, 0f};
      float lo = (float) Math.min(0, sketch.min()), hi = (float) Math.max(0, sketch.max());
      if (lo == 0f && hi == 0f) return new float[] {0f, 0f};
      float[] best = {lo, hi};
      double bestErr = Double.MAX_VALUE;
      for (int k = 0; k <= 70; k++) {
        float f = 1f - 0.01f * k;
        float mn = lo * f, mx = hi * f;
        if (mn == mx) continue;
        double err = squaredError(sketch, mn, mx);
        if (err < bestErr) {
          bestErr = err;
          best = new float[] {mn, mx};
        }
      }
      return best;
    }

    /** Σ (fake-quant(v) − v)² over the sketch's representatives for the 8-bit range [mn, mx]. */
    static double squaredError(LogSketch s, float mn, float mx) {
      FakeQuant.Nudged n = FakeQuant.nudge(mn, mx, 8, false);
      return s.sum(
          v -> {
            double d = FakeQuant.quantizeVars((float) v, n) - (float) v;
            return d * d;
          });
    }
  }
}
