package org.qat4j.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Mergeable histogram of output differences in units of the output's quantization step (LSB): bins
 * 0..255 exact, one overflow bin for 256 and above, plus the exact maximum. Merging adds counts.
 */
public final class LsbHistogram implements Serializable {
  /** Bins 0..255, then the overflow bin. */
  public static final int BINS = 257;

  private final long[] bins = new long[BINS];
  private long max;

  /** Counts one difference {@code lsb} (>= 0). */
  public void add(long lsb) {
    if (lsb < 0) throw new IllegalArgumentException("LSB difference must be >= 0, got " + lsb);
    bins[(int) Math.min(BINS - 1, lsb)]++;
    max = Math.max(max, lsb);
  }

  public LsbHistogram merge(LsbHistogram o) {
    for (int i = 0; i < BINS; i++) bins[i] += o.bins[i];
    max = Math.max(max, o.max);
    return this;
  }

  public long count() {
    long c = 0;
    for (long b : bins) c += b;
    return c;
  }

  public long exact() {
    return bins[0];
  }

  public long withinOne() {
    return bins[0] + bins[1];
  }

  public long max() {
    return max;
  }

  public long[] bins() {
    return bins.clone();
  }

  /** exact / count as a double, 1 when empty (as the single-node Verification reports it). */
  public double exactFraction() {
    long c = count();
    return c == 0 ? 1 : exact() / (double) c;
  }

  public double withinOneFraction() {
    long c = count();
    return c == 0 ? 1 : withinOne() / (double) c;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LsbHistogram h && h.max == max && Arrays.equals(h.bins, bins);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bins);
  }

  @Override
  public String toString() {
    return "LsbHistogram(exact " + exact() + "/" + count() + ", max " + max + ")";
  }
}
