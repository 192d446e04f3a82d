package org.qat4j.ir.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Deterministic parallel loops: a range is split into at most {@code threads} contiguous chunks, so
 * per-chunk partial results can be combined in a fixed order (reproducible training).
 */
public final class Parallel {
  private static volatile int threads = defaultThreads();
  private static volatile ExecutorService pool;

  /**
   * The persistent workers' hand-off; null with {@code -Dqat4j.parallel.handoff=pool}, which keeps
   * every region on the cached pool (the hand-off before session 10, for comparison).
   */
  private static final Crew CREW =
      "pool".equals(System.getProperty("qat4j.parallel.handoff")) ? null : new Crew();

  private Parallel() {}

  /** Body over the half-open range [lo, hi). */
  @FunctionalInterface
  public interface Range {
    void run(int lo, int hi);
  }

  private static int defaultThreads() {
    String p = System.getProperty("qat4j.threads");
    return p != null ? Integer.parseInt(p) : Runtime.getRuntime().availableProcessors();
  }

  public static int threads() {
    return threads;
  }

  /**
   * Sets the worker count used by layers (call before training). OpenBLAS itself stays at one
   * thread: layers split large GEMMs into per-worker calls, because OpenBLAS's own busy-waiting
   * workers oversubscribe a small machine next to ours.
   */
  public static synchronized void setThreads(int n) {
    if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
    threads = n;
  }

  public static void forRange(int n, Range body) {
    forRange(n, threads, body);
  }

  /**
   * Runs {@code body} on chunk c = [c·n/t, (c+1)·n/t) for t = min(threads, n) chunks; the caller
   * runs chunk 0 and returns when every chunk has finished. The first failing chunk's throwable is
   * rethrown (a later chunk's checked one wrapped in IllegalStateException); an interrupt of the
   * caller ends in IllegalStateException with the interrupt flag kept.
   */
  public static void forRange(int n, int nThreads, Range body) {
    int t = Math.min(nThreads, n);
    if (t <= 1) {
      if (n > 0) body.run(0, n);
      return;
    }
    if (CREW == null || !CREW.tryRun(n, t, body)) pooled(n, t, body);
  }

  /**
   * The same chunks through the cached pool: the fallback for a region started while the crew runs
   * another (a nested call, or a second user thread), so neither waits for the other.
   */
  static void pooled(int n, int t, Range body) {
    List<Future<?>> fs = new ArrayList<>(t - 1);
    ExecutorService p = pool();
    for (int c = 1; c < t; c++) {
      int lo = (int) ((long) c * n / t), hi = (int) ((long) (c + 1) * n / t);
      fs.add(p.submit(() -> body.run(lo, hi)));
    }
    body.run(0, (int) ((long) n / t));
    for (Future<?> f : fs) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      } catch (ExecutionException e) {
        unwrap(e.getCause());
      }
    }
  }

  /**
   * Throws a worker chunk's throwable as Future.get's caller sees it: unchecked as is, else
   * wrapped.
   */
  static void unwrap(Throwable c) {
    if (c instanceof RuntimeException r) throw r;
    if (c instanceof Error er) throw er;
    throw new IllegalStateException(c);
  }

  /** Rethrows the caller's own chunk's throwable unchanged, checked or not. */
  @SuppressWarnings("unchecked")
  static <T extends Throwable> RuntimeException sneaky(Throwable e) throws T {
    throw (T) e;
  }

  /** Regions the crew has run so far (tests tell the crew from the pool fallback with it). */
  static long crewRegions() {
    return CREW == null ? 0 : CREW.regions();
  }

  /**
   * Chunk count for n items of {@code work} total cost: at most {@link #threads()}, and no more
   * than work / minWork so tiny loops run inline without a hand-off (depends on sizes only, so
   * chunked reductions stay deterministic for a thread count).
   */
  public static int grain(int n, long work, long minWork) {
    return (int) Math.max(1, Math.min(Math.min(threads, n), work / Math.max(1, minWork)));
  }

  /** Number of chunks {@link #forRange} will use for n items. */
  public static int chunks(int n) {
    return Math.max(1, Math.min(threads, n));
  }

  /**
   * Index of the {@link #forRange} chunk that starts at {@code lo} when n items are split into
   * {@code chunks} chunks, so a body can write its partial result to a fixed slot.
   */
  public static int chunkOf(int lo, int n, int chunks) {
    for (int c = 0; c < chunks; c++) if ((int) ((long) c * n / chunks) == lo) return c;
    throw new IllegalStateException("no chunk starts at " + lo);
  }

  private static ExecutorService pool() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (Parallel.class) {
        if (pool == null) {
          pool =
              Executors.newCachedThreadPool(
                  r -> {
                    Thread th = new Thread(r, "qat4j-worker");
                    th.setDaemon(true);
                    return th;
                  });
        }
        p = pool;
      }
    }
    return p;
  }
}
