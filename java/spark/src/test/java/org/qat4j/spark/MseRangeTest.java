package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.quant.calib.MseEstimator;
import org.qat4j.quant.calib.RangeEstimator;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * The mergeable MSE estimator against the single-node {@code MseEstimator} (exact on fewer values
 * than its sample size): the range chosen from merged sketches has a true squared error within the
 * stated bound of the single-node choice, and shards merged in any order choose the same range.
 */
class MseRangeTest {
  private static final double ALPHA = 0.005;

  /** ReLU-like activations with a long tail and a few outliers, as calibration sees them. */
  private static float[] activations(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussian();
      v[i] = (float) (i % 997 == 0 ? 40 * r.nextDouble() : Math.max(-0.3, g * Math.abs(g)));
    }
    return v;
  }

  private static double trueError(float[] v, float[] range) {
    FakeQuant.Nudged n = FakeQuant.nudge(range[0], range[1], 8, false);
    double e = 0;
    for (float x : v) {
      double d = FakeQuant.quantizeVars(x, n) - x;
      e += d * d;
    }
    return e;
  }

  /** Σ(2·|e(v)|·α·|v| + (α·v)²), maximised over the scanned ranges. */
  private static double bound(float[] v, float lo, float hi) {
    double worst = 0;
    for (int k = 0; k <= 70; k++) {
      float f = 1f - 0.01f * k;
      FakeQuant.Nudged n = FakeQuant.nudge(lo * f, hi * f, 8, false);
      double b = 0;
      for (float x : v) {
        double e = Math.abs(FakeQuant.quantizeVars(x, n) - x), a = ALPHA * Math.abs(x);
        b += 2 * e * a + a * a;
      }
      worst = Math.max(worst, b);
    }
    return worst;
  }

  @Test
  void mergedSketchChoiceIsWithinTheBoundOfSingleNode() {
    float[] v = activations(5, 40_000);
    RangeEstimator.Accumulator single = new MseEstimator().newAccumulator(8);
    single.accept(FloatBuffer.wrap(v), v.length);
    float[] want = single.range();
    MergeableRange a = MergeableRange.Mse.kind(ALPHA).create();
    MergeableRange b = MergeableRange.Mse.kind(ALPHA).create();
    MergeableRange c = MergeableRange.Mse.kind(ALPHA).create();
    a.accept(FloatBuffer.wrap(v, 0, 13_000).slice(), 13_000);
    b.accept(FloatBuffer.wrap(v, 13_000, 20_000).slice(), 20_000);
    c.accept(FloatBuffer.wrap(v, 33_000, 7_000).slice(), 7_000);
    float[] got = a.merge(b).merge(c).range();
    MergeableRange d = MergeableRange.Mse.kind(ALPHA).create();
    MergeableRange e = MergeableRange.Mse.kind(ALPHA).create();
    d.accept(FloatBuffer.wrap(v, 0, 25_000).slice(), 25_000);
    e.accept(FloatBuffer.wrap(v, 25_000, 15_000).slice(), 15_000);
    assertArrayEquals(got, e.merge(d).range(), "another split and merge order");
    double lo = Math.min(0, min(v)), hi = Math.max(0, max(v));
    double slack = 2 * bound(v, (float) lo, (float) hi);
    double eGot = trueError(v, got), eWant = trueError(v, want);
    assertTrue(
        eGot <= eWant + slack,
        "sketch range "
            + got[0]
            + ".."
            + got[1]
            + " error "
            + eGot
            + " vs single-node "
            + want[0]
            + ".."
            + want[1]
            + " error "
            + eWant
            + " + bound "
            + slack);
    assertTrue(got[1] < hi, "the outliers are clipped: " + got[1] + " < max " + hi);
  }

  private static float min(float[] v) {
    float m = Float.POSITIVE_INFINITY;
    for (float x : v) m = Math.min(m, x);
    return m;
  }

  private static float max(float[] v) {
    float m = Float.NEGATIVE_INFINITY;
    for (float x : v) m = Math.max(m, x);
    return m;
  }
}
