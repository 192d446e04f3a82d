package org.qat4j.ir.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Phases}: each task once, the step between the phases, skips, failures, nesting. */
class PhasesTest {
  private final int initial = Parallel.threads();

  @AfterEach
  void restore() {
    Parallel.setThreads(initial);
  }

  /**
   * Every first-phase task ran exactly once before the step, the step once, and every second-phase
   * task exactly once after it, for 1 to 4 workers and task counts from 0 up.
   */
  @Test
  void runsEveryTaskOnceInPhaseOrder() {
    Parallel.setThreads(4);
    for (int workers = 1; workers <= 4; workers++) {
      for (int[] n : new int[][] {{0, 0}, {0, 5}, {3, 0}, {1, 1}, {2, 37}, {4, 4}, {9, 2}}) {
        AtomicIntegerArray first = new AtomicIntegerArray(n[0]),
            second = new AtomicIntegerArray(n[1]);
        AtomicInteger steps = new AtomicInteger(), firstDone = new AtomicInteger();
        AtomicBoolean order = new AtomicBoolean(true);
        Phases.run(
            workers,
            n[0],
            k -> {
              if (k == 0) pause(); // a slow first task: the others must still wait for it
              if (steps.get() != 0) order.set(false);
              first.incrementAndGet(k);
              firstDone.incrementAndGet();
            },
            () -> {
              if (firstDone.get() != n[0]) order.set(false);
              steps.incrementAndGet();
              return true;
            },
            n[1],
            k -> {
              if (steps.get() != 1) order.set(false);
              second.incrementAndGet(k);
            });
        String at = "workers " + workers + ", tasks " + n[0] + " + " + n[1];
        assertEquals(1, steps.get(), at);
        assertTrue(order.get(), at);
        for (int k = 0; k < n[0]; k++) assertEquals(1, first.get(k), at);
        for (int k = 0; k < n[1]; k++) assertEquals(1, second.get(k), at);
      }
    }
  }

  /** Per-task results combined in index order do not depend on the workers (a double sum). */
  @Test
  void perTaskResultsAreTheSameForAnyWorkers() {
    Parallel.setThreads(3);
    double[][] out = new double[3][];
    for (int workers = 1; workers <= 3; workers++) {
      double[] part = new double[7], result = new double[1];
      double[] scaled = new double[50];
      Phases.run(
          workers,
          part.length,
          k -> {
            for (int i = 0; i < 1000; i++) part[k] += 1.0 / (k * 1000 + i + 1);
          },
          () -> {
            for (double p : part) result[0] += p;
            return true;
          },
          scaled.length,
          k -> scaled[k] = result[0] * k);
      out[workers - 1] = scaled;
    }
    assertArrayEquals(out[0], out[1]);
    assertArrayEquals(out[0], out[2]);
  }

  /** A step returning false runs no second-phase task. */
  @Test
  void stepCanSkipTheSecondPhase() {
    Parallel.setThreads(2);
    AtomicInteger second = new AtomicInteger();
    Phases.run(2, 4, k -> {}, () -> false, 6, k -> second.incrementAndGet());
    Phases.run(2, 0, k -> {}, () -> false, 6, k -> second.incrementAndGet());
    assertEquals(0, second.get());
  }

  /** A failing first-phase task reaches the caller and stops the region. */
  @Test
  void firstPhaseFailuresReachTheCaller() {
    Parallel.setThreads(2);
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicInteger second = new AtomicInteger();
    for (int bad = 0; bad < 4; bad++) {
      int b = bad;
      RuntimeException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  Phases.run(
                      2,
                      4,
                      k -> {
                        if (k == b) throw boom;
                      },
                      () -> true,
                      4,
                      k -> second.incrementAndGet()));
      assertSame(boom, e);
    }
    assertEquals(0, second.get(), "no second-phase task after a first-phase failure");
  }

  /** A failing step or second-phase task reaches the caller, and the next region runs. */
  @Test
  void laterFailuresReachTheCaller() {
    Parallel.setThreads(2);
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicInteger second = new AtomicInteger();
    assertThrows(
        IllegalStateException.class,
        () ->
            Phases.run(
                2,
                2,
                k -> {},
                () -> {
                  throw boom;
                },
                3,
                k -> second.incrementAndGet()));
    assertEquals(0, second.get(), "no second-phase task after the step failed");
    AssertionError err = new AssertionError("second");
    assertSame(
        err,
        assertThrows(
            AssertionError.class,
            () ->
                Phases.run(
                    2,
                    1,
                    k -> {},
                    () -> true,
                    5,
                    k -> {
                      if (k == 3) throw err;
                    })));
    AtomicInteger after = new AtomicInteger();
    Phases.run(2, 3, k -> after.incrementAndGet(), () -> true, 3, k -> after.incrementAndGet());
    assertEquals(6, after.get());
  }

  /**
   * Regions nested in a parallel loop's bodies and in another region's tasks finish (a worker only
   * waits for running tasks), and a region whose workers run one after another still does all.
   */
  @Test
  void nestedAndSerialRegionsFinish() {
    Parallel.setThreads(3);
    AtomicInteger count = new AtomicInteger();
    Parallel.forRange(
        3,
        (lo, hi) ->
            Phases.run(
                3, 2, k -> count.incrementAndGet(), () -> true, 4, k -> count.incrementAndGet()));
    assertEquals(18, count.get());
    count.set(0);
    Phases.run(
        2,
        2,
        k ->
            Phases.run(
                2, 2, j -> count.incrementAndGet(), () -> true, 2, j -> count.incrementAndGet()),
        () -> true,
        2,
        k -> count.incrementAndGet());
    assertEquals(10, count.get());
    Parallel.setThreads(1); // forRange runs the workers' bodies on the caller, one after another
    count.set(0);
    Phases.run(4, 3, k -> count.incrementAndGet(), () -> true, 3, k -> count.incrementAndGet());
    assertEquals(6, count.get());
  }

  /** Many tiny regions in a row (hand-offs and phase waits under contention) lose no task. */
  @Test
  void manyTinyRegions() {
    Parallel.setThreads(2);
    long[] sums = new long[2];
    for (int r = 0; r < 3000; r++) {
      long[] part = new long[2];
      AtomicInteger done = new AtomicInteger();
      int rr = r;
      Phases.run(
          2,
          2,
          k -> part[k] = rr + k,
          () -> {
            sums[0] += part[0] + part[1];
            return true;
          },
          3,
          k -> done.incrementAndGet());
      sums[1] += done.get();
    }
    assertEquals(2L * (2999L * 3000 / 2) + 3000, sums[0]);
    assertEquals(9000, sums[1]);
    assertFalse(Thread.currentThread().isInterrupted());
  }

  private static void pause() {
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void rejectsNegativeTaskCounts() {
    assertThrows(
        IllegalArgumentException.class, () -> Phases.run(2, -1, k -> {}, () -> true, 1, k -> {}));
    assertThrows(
        IllegalArgumentException.class, () -> Phases.run(2, 1, k -> {}, () -> true, -2, k -> {}));
  }
}
