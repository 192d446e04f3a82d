package org.qat4j.core.layers;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import org.qat4j.ir.internal.Parallel;

/**
 * Items (images, or blocks of images) handed out one at a time to the workers of one parallel
 * region, so a worker that starts late or runs slow (a busy or descheduled CPU) does fewer of them
 * instead of the others waiting for its fixed chunk. Each worker first takes the items of its own
 * contiguous home range (chunk c of {@link Parallel#forRange}'s split, as the tiles of the conv
 * after it), then what is left of the others'. So from step to step an image's output is written
 * and read on the same core: when the host puts two vCPUs far apart, reading data the other core
 * wrote takes about 5× as long (docs/PERFORMANCE.md, session 12). Which worker takes an item must
 * not change the arithmetic: callers write per-item results to fixed slots and combine them in item
 * order.
 */
final class ImageQueue {
  private final Ranges ranges;
  private int range;

  private ImageQueue(Ranges ranges, int home) {
    this.ranges = ranges;
    this.range = home;
  }

  /** The next unclaimed item, from the home range first, or −1 once all n are claimed. */
  int next() {
    int t = ranges.claimed.length();
    for (int tried = 0; tried < t; tried++) {
      int i = ranges.claim(range);
      if (i >= 0) return i;
      range = (range + 1) % t; // then the next range: one whose owner is late or slow
    }
    return -1;
  }

  /**
   * Runs {@code worker} on as many threads as {@link Parallel#grain} allows for n items of {@code
   * work} total cost (inline when small); each worker draws from its own view of the same n items.
   */
  static void run(int n, long work, Consumer<ImageQueue> worker) {
    int t = Parallel.grain(n, work, 1 << 18);
    ImageQueue[] views = views(n, t);
    Parallel.forRange(t, t, (lo, hi) -> worker.accept(views[lo]));
  }

  /** The t workers' views of one queue of n items; view c's home is chunk c of n split t ways. */
  static ImageQueue[] views(int n, int t) {
    Ranges r = new Ranges(n, t);
    ImageQueue[] v = new ImageQueue[t];
    for (int c = 0; c < t; c++) v[c] = new ImageQueue(r, c);
    return v;
  }

  /** The n items as t contiguous ranges (Parallel's chunk bounds), each with a claim counter. */
  private static final class Ranges {
    final int n;
    final AtomicIntegerArray claimed;

    Ranges(int n, int t) {
      this.n = n;
      this.claimed = new AtomicIntegerArray(t);
    }

    int start(int c) {
      return (int) ((long) c * n / claimed.length());
    }

    /** The next unclaimed item of range c, or −1 when it has none left. */
    int claim(int c) {
      int lo = start(c), hi = start(c + 1);
      if (claimed.get(c) >= hi - lo) return -1;
      int i = lo + claimed.getAndIncrement(c);
      return i < hi ? i : -1;
    }
  }
}
