package org.qat4j.quant.internal;

import org.qat4j.core.internal.Parallel;

/** Chunk arithmetic of {@link Parallel#forRange}, for bodies that keep one partial result per chunk. */
public final class Chunks {
  private Chunks() {}

  /**
   * Index of the chunk starting at {@code lo} when {@code n} items are split into {@code chunks}
   * chunks [k·n/chunks, (k+1)·n/chunks).
   */
  public static int chunkOf(int lo, int n, int chunks) {
    int k = (int) ((long) lo * chunks / n);
    while (k + 1 < chunks && (long) (k + 1) * n / chunks <= lo) k++;
    while (k > 0 && (long) k * n / chunks > lo) k--;
    return k;
  }
}
