package org.qat4j.core.data;

import org.qat4j.core.Tensor;

/**
 * One mini-batch: images {@code [size, H, W, C]} and their labels. Owned by the iterator that
 * produced it and overwritten by the next batch; copy what you keep.
 */
public final class Batch {
  private final Tensor images;
  private final int[] labels;
  private int index;

  Batch(Tensor images, int[] labels) {
    this.images = images;
    this.labels = labels;
  }

  public Tensor images() {
    return images;
  }

  /** Labels, length {@link #size()}. */
  public int[] labels() {
    return labels;
  }

  public int size() {
    return labels.length;
  }

  /** Position of this batch within its epoch, from 0. */
  public int index() {
    return index;
  }

  void index(int i) {
    index = i;
  }
}
