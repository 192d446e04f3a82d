package org.qat4j.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Mergeable classification counts: samples, top-1 correct and the confusion matrix ({@code
 * confusion[label * classes + predicted]}). Merging is addition of longs, so any split of the data
 * and any merge order give the same result as one pass over all of it.
 */
public final class EvalStats implements Serializable {
  private final int classes;
  private long count;
  private long correct;
  private final long[] confusion;

  public EvalStats(int classes) {
    if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    this.classes = classes;
    this.confusion = new long[classes * classes];
  }

  /** Counts one prediction. */
  public void add(int label, int predicted) {
    if (label < 0 || label >= classes || predicted < 0 || predicted >= classes) {
      throw new IllegalArgumentException(
          "label " + label + " / prediction " + predicted + " outside [0, " + classes + ")");
    }
    count++;
    if (label == predicted) correct++;
    confusion[label * classes + predicted]++;
  }

  /** Adds {@code o} into this and returns this. */
  public EvalStats merge(EvalStats o) {
    if (o.classes != classes)
      throw new IllegalArgumentException("cannot merge " + o.classes + " classes into " + classes);
    count += o.count;
    correct += o.correct;
    for (int i = 0; i < confusion.length; i++) confusion[i] += o.confusion[i];
    return this;
  }

  public int classes() {
    return classes;
  }

  public long count() {
    return count;
  }

  public long correct() {
    return correct;
  }

  /**
   * correct / count as a double (the exact fraction is {@link #correct()} over {@link #count()}).
   */
  public double accuracy() {
    return count == 0 ? 0 : correct / (double) count;
  }

  /** A copy of the confusion matrix, row = label, column = prediction. */
  public long[][] confusion() {
    long[][] m = new long[classes][];
    for (int i = 0; i < classes; i++)
      m[i] = Arrays.copyOfRange(confusion, i * classes, (i + 1) * classes);
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EvalStats e
        && e.classes == classes
        && e.count == count
        && e.correct == correct
        && Arrays.equals(e.confusion, confusion);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(count) * 31 + Arrays.hashCode(confusion);
  }

  @Override
  public String toString() {
    return "EvalStats(" + correct + "/" + count + ", " + classes + " classes)";
  }
}
