package org.qat4j.ir.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel#forRange} under failure and re-entry: a chunk's exception or Error reaches the
 * caller as the pool delivered it (the lowest failing chunk's; a worker chunk's checked exception
 * wrapped) once every chunk has finished, and the workers survive it; an interrupted caller gets
 * IllegalStateException with the flag kept; interrupted workers keep working; nested calls from the
 * caller's chunk and from a worker's chunk finish (they take the pool, not the busy crew).
 */
class ParallelFailureTest {
  private static final Duration DEADLOCK = Duration.ofSeconds(120);

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  /** Chunk 0 of a 2-chunk region waits until chunk 1 has started, so chunk 1 runs on a worker. */
  private static void onWorker(Parallel.Range chunk0, Parallel.Range chunk1) {
    AtomicBoolean started = new AtomicBoolean();
    Parallel.forRange(
        2,
        2,
        (lo, hi) -> {
          if (lo == 0) {
            while (!started.get()) Thread.onSpinWait();
            chunk0.run(lo, hi);
          } else {
            started.set(true);
            chunk1.run(lo, hi);
          }
        });
  }

  private static final class ChunkError extends Error {
    ChunkError(String m) {
      super(m);
    }
  }

  @Test
  void workerChunksRuntimeExceptionIsRethrownAsIsAfterEveryChunkFinished() {
    IllegalArgumentException boom = new IllegalArgumentException("chunk 1");
    AtomicInteger finished = new AtomicInteger();
    RuntimeException got =
        assertThrows(
            RuntimeException.class,
            () ->
                Parallel.forRange(
                    3,
                    3,
                    (lo, hi) -> {
                      if (lo == 1) throw boom;
                      spin(lo == 2 ? 50 : 0);
                      finished.incrementAndGet();
                    }));
    assertSame(boom, got);
    assertEquals(2, finished.get(), "chunks 0 and 2 finish before the caller sees the failure");
  }

  @Test
  void anErrorOnAWorkerReachesTheCallerAndTheWorkerSurvives() {
    ChunkError err = new ChunkError("on a worker");
    assertTimeoutPreemptively(
        DEADLOCK,
        () -> {
          ChunkError got =
              assertThrows(
                  ChunkError.class,
                  () ->
                      onWorker(
                          (lo, hi) -> {},
                          (lo, hi) -> {
                            throw err;
                          }));
          assertSame(err, got);
          long before = Parallel.crewRegions();
          AtomicInteger ran = new AtomicInteger();
          // Needs a live worker for chunk 1: it would hang if the Error had killed it.
          onWorker((lo, hi) -> ran.incrementAndGet(), (lo, hi) -> ran.incrementAndGet());
          assertEquals(2, ran.get());
          assertEquals(
              1, Parallel.crewRegions() - before, "the crew is free again after a failure");
        });
  }

  @Test
  void theCallersChunkFailureIsThrownAsIsAndLowestChunkWins() {
    IllegalStateException first = new IllegalStateException("chunk 0");
    AtomicInteger finished = new AtomicInteger();
    RuntimeException got =
        assertThrows(
            RuntimeException.class,
            () ->
                Parallel.forRange(
                    4,
                    4,
                    (lo, hi) -> {
                      if (lo == 0) throw first;
                      if (lo == 2) throw new IllegalArgumentException("chunk 2");
                      finished.incrementAndGet();
                    }));
    assertSame(first, got);
    assertEquals(2, finished.get());
    UnsupportedOperationException one = new UnsupportedOperationException("chunk 1");
    RuntimeException second =
        assertThrows(
            RuntimeException.class,
            () ->
                Parallel.forRange(
                    4,
                    4,
                    (lo, hi) -> {
                      if (lo == 3) throw new IllegalArgumentException("chunk 3");
                      if (lo == 1) throw one;
                    }));
    assertSame(one, second);
  }

  @Test
  void checkedExceptionsAreWrappedFromWorkersAndAsIsFromTheCaller() {
    IOException onWorker = new IOException("chunk 1");
    IllegalStateException wrapped =
        assertThrows(
            IllegalStateException.class,
            () ->
                onWorker(
                    (lo, hi) -> {},
                    (lo, hi) -> {
                      throw Parallel.sneaky(onWorker);
                    }));
    assertSame(onWorker, wrapped.getCause());
    IOException onCaller = new IOException("chunk 0");
    Exception got =
        assertThrows(
            Exception.class,
            () ->
                Parallel.forRange(
                    2,
                    2,
                    (lo, hi) -> {
                      if (lo == 0) throw Parallel.sneaky(onCaller);
                    }));
    assertSame(onCaller, got);
  }

  @Test
  void anInterruptedCallerFinishesTheRegionThenThrowsWithTheFlagKept() {
    AtomicIntegerArray hits = new AtomicIntegerArray(100);
    Thread.currentThread().interrupt();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> Parallel.forRange(100, 2, (lo, hi) -> touch(hits, lo, hi)));
    assertInstanceOf(InterruptedException.class, e.getCause());
    assertTrue(Thread.interrupted(), "the interrupt flag is kept");
    for (int i = 0; i < 100; i++) assertEquals(1, hits.get(i), "index " + i);
    AtomicIntegerArray again = new AtomicIntegerArray(100);
    Parallel.forRange(100, 2, (lo, hi) -> touch(again, lo, hi));
    for (int i = 0; i < 100; i++) assertEquals(1, again.get(i), "after the interrupt, index " + i);
  }

  @Test
  void aCallerInterruptedWhileWaitingStillWaitsForTheWorkersChunk() {
    Thread caller = Thread.currentThread();
    AtomicBoolean workerDone = new AtomicBoolean();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                onWorker(
                    (lo, hi) -> {},
                    (lo, hi) -> {
                      caller.interrupt();
                      spin(100);
                      workerDone.set(true);
                    }));
    assertInstanceOf(InterruptedException.class, e.getCause());
    assertTrue(workerDone.get(), "the worker's chunk finished before forRange returned");
    assertTrue(Thread.interrupted());
  }

  @Test
  void interruptedWorkersKeepTakingChunks() {
    assertTimeoutPreemptively(
        DEADLOCK,
        () -> {
          Parallel.forRange(4, 4, (lo, hi) -> {});
          int interrupted = 0;
          for (Thread th : Thread.getAllStackTraces().keySet())
            if (th.getName().startsWith("qat4j-crew-")) {
              th.interrupt();
              interrupted++;
            }
          assertTrue(interrupted >= 3, "crew threads found: " + interrupted);
          for (int k = 0; k < 2_000; k++) {
            AtomicIntegerArray hits = new AtomicIntegerArray(9);
            Parallel.forRange(9, 2 + k % 3, (lo, hi) -> touch(hits, lo, hi));
            for (int i = 0; i < 9; i++) assertEquals(1, hits.get(i));
          }
          AtomicInteger ran = new AtomicInteger();
          onWorker((lo, hi) -> ran.incrementAndGet(), (lo, hi) -> ran.incrementAndGet());
          assertEquals(2, ran.get());
        });
  }

  @Test
  void nestedCallsFromTheCallerAndFromAWorkerFinish() {
    ConcurrentLinkedQueue<String> outerThreads = new ConcurrentLinkedQueue<>();
    AtomicIntegerArray hits = new AtomicIntegerArray(2 * 50 * 7);
    long before = Parallel.crewRegions();
    Parallel.Range outer =
        (lo, hi) -> {
          outerThreads.add(Thread.currentThread().getName());
          Parallel.forRange(
              50,
              2,
              (mlo, mhi) -> {
                for (int m = mlo; m < mhi; m++) {
                  int base = (lo * 50 + m) * 7;
                  Parallel.forRange(7, 3, (ilo, ihi) -> touch(hits, base + ilo, base + ihi));
                }
              });
        };
    assertTimeoutPreemptively(DEADLOCK, () -> onWorker(outer, outer));
    for (int i = 0; i < hits.length(); i++) assertEquals(1, hits.get(i), "index " + i);
    assertTrue(
        outerThreads.stream().anyMatch(n -> n.startsWith("qat4j-crew-")),
        "one outer chunk ran on a crew worker: " + outerThreads);
    assertEquals(1, Parallel.crewRegions() - before, "nested regions take the pool, not the crew");
  }

  private static void touch(AtomicIntegerArray hits, int lo, int hi) {
    for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
  }

  /** Busy-waits (no InterruptedException to handle on an interrupted thread). */
  private static void spin(long ms) {
    long end = System.nanoTime() + ms * 1_000_000;
    while (System.nanoTime() < end) Thread.onSpinWait();
  }
}
