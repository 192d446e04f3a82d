package org.qat4j.core.layers;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.qat4j.ir.internal.Parallel;

/**
 * Items (images, or blocks of images) handed out one at a time to the workers of one parallel
 * region, so a worker that starts late or runs slow (a busy or descheduled CPU) does fewer of them
 * instead of the others waiting for its fixed chunk. Which worker takes an item must not change the
 * arithmetic: callers write per-item results to fixed slots and combine them in item order.
 */
final class ImageQueue {
  private final AtomicInteger next = new AtomicInteger();
  private final int n;

  private ImageQueue(int n) {
    this.n = n;
  }

  /** The next unclaimed item, or −1 once all n are claimed. */
  int next() {
    int i = next.getAndIncrement();
    return i < n ? i : -1;
  }

  /**
   * Runs {@code worker} on as many threads as {@link Parallel#grain} allows for n items of {@code
   * work} total cost (inline when small); every worker draws from the same queue of n items.
   */
  static void run(int n, long work, Consumer<ImageQueue> worker) {
    ImageQueue q = new ImageQueue(n);
    int t = Parallel.grain(n, work, 1 << 18);
    Parallel.forRange(t, t, (lo, hi) -> worker.accept(q));
  }
}
