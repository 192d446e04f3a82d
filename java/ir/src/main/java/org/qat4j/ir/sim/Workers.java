package org.qat4j.ir.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The simulator's own parallel loop (ir depends on nothing of ours, so not core's Parallel): a
 * range split into at most {@code qat4j.threads} (default: available processors) contiguous chunks
 * on a shared pool of daemon threads.
 */
final class Workers {
  private static final int THREADS = threads();
  private static volatile ExecutorService pool;

  private Workers() {}

  /** Body over the half-open range [lo, hi). */
  @FunctionalInterface
  interface Range {
    void run(int lo, int hi);
  }

  private static int threads() {
    String p = System.getProperty("qat4j.threads");
    int n = p != null ? Integer.parseInt(p) : Runtime.getRuntime().availableProcessors();
    if (n < 1) throw new IllegalArgumentException("qat4j.threads must be >= 1, got " + n);
    return n;
  }

  /** Runs {@code body} on chunk c = [c·n/t, (c+1)·n/t) for t = min(threads, n) chunks. */
  static void forRange(int n, Range body) {
    int t = Math.min(THREADS, n);
    if (t <= 1) {
      if (n > 0) body.run(0, n);
      return;
    }
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
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) throw r;
        if (c instanceof Error er) throw er;
        throw new IllegalStateException(c);
      }
    }
  }

  private static ExecutorService pool() {
    ExecutorService p = pool;
    if (p == null) {
      synchronized (Workers.class) {
        if (pool == null) {
          pool =
              Executors.newCachedThreadPool(
                  r -> {
                    Thread th = new Thread(r, "qat4j-sim-worker");
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
