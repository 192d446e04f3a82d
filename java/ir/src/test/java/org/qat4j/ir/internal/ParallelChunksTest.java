package org.qat4j.ir.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel#forRange}'s persistent hand-off keeps the pool's chunk boundaries exactly
 * (callers combine per-chunk partials in a fixed order), runs every index once, follows setThreads
 * between calls, runs one thread inline on the caller, and never mixes two regions' chunks when
 * user threads call at the same time or when thousands of tiny regions follow each other.
 */
class ParallelChunksTest {
  private static final Duration DEADLOCK = Duration.ofSeconds(120);

  /** The chunks {@code forRange} must use: [c·n/t, (c+1)·n/t) for t = min(threads, n). */
  static List<String> expected(int n, int threads) {
    int t = Math.max(1, Math.min(threads, n));
    List<String> out = new ArrayList<>();
    for (int c = 0; c < t; c++)
      out.add((int) ((long) c * n / t) + ".." + (int) ((long) (c + 1) * n / t));
    return out;
  }

  /** The chunks one {@code forRange(n, threads, ...)} call ran, sorted. */
  static List<String> ranChunks(int n, int threads) {
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    Parallel.forRange(n, threads, (lo, hi) -> seen.add(lo + ".." + hi));
    List<String> out = new ArrayList<>(seen);
    out.sort((a, b) -> Integer.compare(start(a), start(b)));
    return out;
  }

  private static int start(String chunk) {
    return Integer.parseInt(chunk.substring(0, chunk.indexOf('.')));
  }

  @Test
  void chunksAreThePoolsBoundariesForEverySizeAndThreadCount() {
    long before = Parallel.crewRegions();
    int handOffs = 0;
    for (int threads = 2; threads <= 7; threads++)
      for (int n = 1; n <= 61; n++) {
        assertEquals(expected(n, threads), ranChunks(n, threads), "n=" + n + " threads=" + threads);
        if (Math.min(threads, n) > 1) handOffs++;
      }
    assertEquals(expected(1_000_003, 3), ranChunks(1_000_003, 3));
    // Every region with more than one chunk went through the crew (no other caller was running).
    assertEquals(handOffs + 1, Parallel.crewRegions() - before);
  }

  @Test
  void setThreadsBetweenCallsChangesTheChunksAndOneThreadRunsInline() {
    int initial = Parallel.threads();
    try {
      for (int threads : new int[] {2, 4, 1, 3, 2, 1, 5}) {
        Parallel.setThreads(threads);
        ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
        List<Thread> runners = Collections.synchronizedList(new ArrayList<>());
        long before = Parallel.crewRegions();
        Parallel.forRange(
            10,
            (lo, hi) -> {
              seen.add(lo + ".." + hi);
              runners.add(Thread.currentThread());
            });
        List<String> got = new ArrayList<>(seen);
        got.sort((a, b) -> Integer.compare(start(a), start(b)));
        assertEquals(expected(10, threads), got, "threads=" + threads);
        if (threads == 1) {
          assertEquals(List.of(Thread.currentThread()), runners);
          assertEquals(before, Parallel.crewRegions(), "one thread must not hand off");
        }
      }
    } finally {
      Parallel.setThreads(initial);
    }
  }

  @Test
  void emptyRangeRunsNothing() {
    ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    Parallel.forRange(0, 4, (lo, hi) -> seen.add(lo + ".." + hi));
    assertTrue(seen.isEmpty());
  }

  @Test
  void concurrentCallersNeverMixTheirRegionsChunks() {
    int callers = 4, regions = 400;
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(callers);
    assertTimeoutPreemptively(
        DEADLOCK,
        () -> {
          List<Thread> users = new ArrayList<>();
          for (int u = 0; u < callers; u++) {
            long seed = u;
            Thread th = new Thread(() -> callRegions(seed, regions, start, failures), "user-" + u);
            users.add(th);
            th.start();
          }
          for (Thread th : users) th.join();
        });
    assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
  }

  /**
   * One user thread's regions: each index of each region is hit once, with that region's chunks.
   */
  private static void callRegions(
      long seed, int regions, CyclicBarrier start, ConcurrentLinkedQueue<String> failures) {
    try {
      start.await();
      SplittableRandom r = new SplittableRandom(seed);
      for (int k = 0; k < regions; k++) {
        int n = r.nextInt(2, 300), threads = r.nextInt(2, 4);
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        ConcurrentLinkedQueue<String> chunks = new ConcurrentLinkedQueue<>();
        Parallel.forRange(
            n,
            threads,
            (lo, hi) -> {
              chunks.add(lo + ".." + hi);
              for (int i = lo; i < hi; i++) hits.incrementAndGet(i);
            });
        for (int i = 0; i < n; i++)
          if (hits.get(i) != 1) failures.add("seed " + seed + " region " + k + " index " + i);
        List<String> got = new ArrayList<>(chunks);
        got.sort((a, b) -> Integer.compare(start(a), start(b)));
        if (!got.equals(expected(n, threads))) failures.add("seed " + seed + " chunks " + got);
      }
    } catch (Exception e) {
      failures.add(e.toString());
    }
  }

  @Test
  void manyTinyRegionsInARowEachRunEveryIndexOnce() {
    assertTimeoutPreemptively(
        DEADLOCK,
        () -> {
          int wrong = 0;
          for (int k = 0; k < 200_000; k++) {
            int n = 2 + k % 3;
            long[] slot = new long[n];
            Parallel.forRange(
                n,
                2 + k % 2,
                (lo, hi) -> {
                  for (int i = lo; i < hi; i++) slot[i] += i + 1;
                });
            for (int i = 0; i < n; i++) if (slot[i] != i + 1) wrong++;
          }
          assertEquals(0, wrong, "indices run twice, never, or not visible to the caller");
        });
  }

  @Test
  void partialsCombinedByChunkIndexMatchTheSerialSum() {
    SplittableRandom r = new SplittableRandom(7);
    float[] x = new float[10_007];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
    for (int threads = 2; threads <= 4; threads++) {
      int chunks = Math.min(threads, x.length);
      float[] partial = new float[chunks];
      Parallel.forRange(
          x.length,
          threads,
          (lo, hi) -> {
            float s = 0;
            for (int i = lo; i < hi; i++) s += x[i];
            partial[Parallel.chunkOf(lo, x.length, chunks)] = s;
          });
      float expectedSum = 0;
      for (String chunk : expected(x.length, threads)) {
        int lo = start(chunk), hi = Integer.parseInt(chunk.substring(chunk.indexOf("..") + 2));
        float s = 0;
        for (int i = lo; i < hi; i++) s += x[i];
        expectedSum += s;
      }
      float got = 0;
      for (float p : partial) got += p;
      assertEquals(Float.floatToIntBits(expectedSum), Float.floatToIntBits(got));
    }
  }
}
