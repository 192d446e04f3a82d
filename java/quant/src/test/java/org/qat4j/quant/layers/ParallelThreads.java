package org.qat4j.quant.layers;

import java.util.function.Supplier;
import org.qat4j.ir.internal.Parallel;

/** Runs a test body at a given {@link Parallel} thread count, then restores the previous one. */
final class ParallelThreads {
  private ParallelThreads() {}

  static <T> T with(int threads, Supplier<T> body) {
    int before = Parallel.threads();
    Parallel.setThreads(threads);
    try {
      return body.get();
    } finally {
      Parallel.setThreads(before);
    }
  }

  static void run(int threads, Runnable body) {
    with(
        threads,
        () -> {
          body.run();
          return null;
        });
  }
}
