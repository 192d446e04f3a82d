package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
import org.qat4j.runtime.TfliteException;

/**
 * {@code bench} and the demo's benchmark: the runtime's {@link Benchmark} with the pipeline's
 * isolation and custom operators, mapped to the CLI contract ({@link BenchJson}).
 */
final class BenchSteps {
  private final Pipeline p;

  BenchSteps(Pipeline p) {
    this.p = p;
  }

  /**
   * The demo's benchmark: the runtime's {@link Benchmark} ({@code warmup} runs, no warm-up time),
   * keeping every steady sample.
   */
  JsonObject bench(
      Path model,
      Backend backend,
      int threads,
      int runs,
      int warmup,
      double minSecs,
      double maxSecs)
      throws IOException {
    Benchmark.Config c =
        Benchmark.Config.of(model).with(backend, threads).runs(warmup, 0, runs, minSecs, maxSecs);
    return BenchJson.withSamples(model, backend, threads, runBenchmark(backend, c));
  }

  /** The {@code bench} command: the runtime's {@link Benchmark}, mapped to the CLI contract. */
  JsonObject benchmark(
      Path model,
      Backend backend,
      int threads,
      int runs,
      int warmup,
      double minSecs,
      double maxSecs,
      boolean profile)
      throws IOException {
    Benchmark.Config c =
        Benchmark.Config.of(model)
            .with(backend, threads)
            .runs(warmup, warmup == 0 ? 0 : 0.5, runs, minSecs, maxSecs)
            .profiling(profile)
            .isolated(p.isolating());
    return BenchJson.of(model, backend, threads, runBenchmark(backend, c));
  }

  /**
   * Runs {@code c}; a bad file is a usage error, a backend that cannot start here a failure naming
   * the reason.
   */
  private Benchmark.Report runBenchmark(Backend backend, Benchmark.Config c) throws IOException {
    Probes.tflite(); // library loading is not part of init time, as in benchmark_model
    Path model = c.model();
    Benchmark.Report b;
    try (Progress bar =
        p.progress()
            .create(
                "bench "
                    + model.getFileName()
                    + " ("
                    + TfliteRun.id(backend)
                    + ", "
                    + c.threads()
                    + "t)",
                1,
                "runs")) {
      try {
        b = Benchmark.run(c, p.customOps()::apply);
      } catch (TfliteException e) {
        if (e.getMessage() != null && e.getMessage().contains("model check")) {
          throw CliException.usage(
              "--model: " + model + " is not a valid .tflite model: " + Main.oneLine(e));
        }
        throw CliException.failed(
            "backend " + TfliteRun.id(backend) + " unavailable: " + Main.oneLine(e), e);
      }
      bar.step(1);
    }
    if (backend != Backend.BUILTIN && !b.coverage().delegated())
      p.info().accept("warning: " + b.coverageSummary());
    return b;
  }
}
