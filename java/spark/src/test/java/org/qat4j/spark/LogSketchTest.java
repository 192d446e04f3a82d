package org.qat4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The mergeable percentile sketch: any split and merge order gives the same counts; ranks within
 * the stated bound.
 */
class LogSketchTest {
  private static double[] values(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      // ReLU-like zeros, a heavy right tail, small negatives, tiny magnitudes
      v[i] =
          kind < 3
              ? 0
              : kind < 7
                  ? Math.exp(r.nextGaussian() * 2)
                  : kind < 9 ? -r.nextDouble() * 3 : r.nextGaussian() * 1e-6;
    }
    return v;
  }

  @Test
  void mergedShardsEqualOnePassAndRanksAreWithinAlpha() {
    double alpha = 0.005;
    double[] v = values(11, 40_000);
    LogSketch all = new LogSketch(alpha);
    for (double x : v) all.add(x);
    LogSketch[] shards = new LogSketch[5];
    for (int s = 0; s < 5; s++) {
      shards[s] = new LogSketch(alpha);
      for (int i = s * 8000; i < (s + 1) * 8000; i++) shards[s].add(v[i]);
    }
    LogSketch forward = new LogSketch(alpha), backward = new LogSketch(alpha);
    for (int s = 0; s < 5; s++) forward.merge(shards[s]);
    for (int s = 4; s >= 0; s--) backward.merge(shards[s]);
    double[] sorted = v.clone();
    Arrays.sort(sorted);
    for (long r = 0; r < v.length; r += 97) {
      double t = sorted[(int) r];
      double e = all.valueAt(r);
      assertEquals(e, forward.valueAt(r), "rank " + r);
      assertEquals(e, backward.valueAt(r), "rank " + r);
      assertTrue(
          Math.abs(e - t) <= alpha * Math.abs(t) * (1 + 1e-9) + LogSketch.ZERO,
          "rank " + r + ": " + e + " vs exact " + t);
    }
    assertEquals(sorted[0], all.valueAt(0), "extremes are exact");
    assertEquals(sorted[v.length - 1], all.valueAt(v.length - 1), "extremes are exact");
  }

  @Test
  void refusesBadInput() {
    assertThrows(IllegalArgumentException.class, () -> new LogSketch(0.5));
    assertThrows(IllegalArgumentException.class, () -> new LogSketch(0.01).add(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new LogSketch(0.01).valueAt(0));
    assertThrows(
        IllegalArgumentException.class, () -> new LogSketch(0.01).merge(new LogSketch(0.02)));
    assertThrows(IllegalArgumentException.class, () -> MergeableRange.Percentile.kind(40, 0.01));
  }
}
