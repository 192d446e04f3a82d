package org.qat4j.runtime;

import java.util.Arrays;

/**
 * Summary of a timing sample in milliseconds: count, first, avg, std, min, max and nearest-rank
 * percentiles.
 */
public record Stats(
    int count,
    double first,
    double avg,
    double std,
    double min,
    double max,
    double p50,
    double p90,
    double p99) {

  public static Stats of(double[] ms) {
    if (ms.length == 0) {
      return new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
    double[] s = ms.clone();
    Arrays.sort(s);
    double sum = 0;
    for (double v : ms) {
      sum += v;
    }
    double avg = sum / ms.length;
    double var = 0;
    for (double v : ms) {
      var += (v - avg) * (v - avg);
    }
    return new Stats(
        ms.length,
        ms[0],
        avg,
        Math.sqrt(var / ms.length),
        s[0],
        s[s.length - 1],
        rank(s, 50),
        rank(s, 90),
        rank(s, 99));
  }

  private static double rank(double[] sorted, int p) {
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  @Override
  public String toString() {
    return String.format(
        "count=%d first=%.3f avg=%.3f std=%.3f min=%.3f max=%.3f p50=%.3f p90=%.3f p99=%.3f (ms)",
        count, first, avg, std, min, max, p50, p90, p99);
  }
}
