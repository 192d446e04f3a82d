package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.ir.internal.Parallel;

/**
 * The fused conv → BN → ReLU → pool chain on a batch large enough that its three passes split over
 * several workers, which take images (blocks for the moments) one at a time from an {@link
 * ImageQueue}: the output and every gradient are the same bits at any thread count and on every
 * repeat, whichever worker took which image (a block folded out of image order, or a partial
 * dropped or counted twice, would show). Also the queue itself: every item exactly once.
 */
class ConvBnPoolWorkersTest {
  private final boolean initial = Lanes.vector();
  private final int threads = Parallel.threads();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
    Parallel.setThreads(threads);
  }

  @Test
  void sameBitsAtAnyThreadCountAndOnRepeats() {
    Lanes.useVector(true);
    // 41 images: five full blocks of 8 and a last block of one; conv1's shape.
    Map<String, float[]> first = null;
    for (int t : new int[] {1, 2, 3, 4, 2, 3}) {
      Parallel.setThreads(t);
      assertTrue(t == 1 || Parallel.grain(41, 41L * 196 * 32 * 9 * 4, 1 << 18) == t, "splits");
      Model m = ConvBnPoolTest.net(21, 28, 28, 1, () -> conv(), false);
      Map<String, float[]> got = ConvBnPoolTest.step(m, Checks.random(22, 41, 28, 28, 1), 23);
      assertNull(m.activation("conv"), "the conv ran fused");
      if (first == null) first = got;
      for (String k : got.keySet()) {
        // The dense layer after the chain sums its bias gradient per thread: compare the chain.
        if (!k.startsWith("dense")) assertArrayEquals(first.get(k), got.get(k), k + " at " + t);
      }
    }
  }

  private static Conv2D conv() {
    return new Conv2D("conv", 32, 3, 3).padding(Padding.SAME);
  }

  @Test
  void queueHandsOutEveryItemOnce() {
    Parallel.setThreads(3);
    for (int n : new int[] {0, 1, 2, 7, 1000}) {
      AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(1, n));
      ImageQueue.run(
          n,
          Long.MAX_VALUE,
          q -> {
            for (int i = q.next(); i >= 0; i = q.next()) seen.incrementAndGet(i);
          });
      for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "item " + i + " of " + n);
    }
  }

  @Test
  void eachViewTakesItsHomeRangeFirstThenWhatIsLeft() {
    // 10 items, 3 views: homes [0, 3), [3, 6), [6, 10). View 1 runs alone first, as a worker
    // whose peers are late: its own range in order, then range 2's, then range 0's.
    ImageQueue[] v = ImageQueue.views(10, 3);
    assertEquals(0, v[0].next());
    assertEquals(6, v[2].next());
    int[] expected = {3, 4, 5, 7, 8, 9, 1, 2};
    for (int e : expected) assertEquals(e, v[1].next());
    assertEquals(-1, v[1].next());
    assertEquals(-1, v[0].next());
    assertEquals(-1, v[2].next());
  }
}
