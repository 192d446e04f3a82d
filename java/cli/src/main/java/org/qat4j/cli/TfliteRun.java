package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.qat4j.core.data.Dataset;
import org.qat4j.runtime.DelegateCoverage;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.Stats;
import org.qat4j.runtime.TensorInfo;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.runtime.Validation;

/** Runs .tflite models through the runtime's {@link Interpreter}: test-set evaluation and latency benchmark. */
final class TfliteRun {
  private TfliteRun() {}

  static org.qat4j.runtime.Backend backend(Backend b) {
    return org.qat4j.runtime.Backend.valueOf(b.name());
  }

  /** Opens the interpreter; a known backend that cannot start here is a failure (exit 1) naming the reason. */
  static Interpreter open(TfliteModel m, Backend b, int threads) {
    try {
      return Interpreter.create(m, Interpreter.Options.builder().backend(backend(b)).threads(threads).build());
    } catch (RuntimeException e) {
      throw CliException.failed("backend " + b + " unavailable: " + Main.oneLine(e), e);
    }
  }

  static TfliteModel model(Path file) throws IOException {
    try {
      return TfliteModel.fromFile(file);
    } catch (org.qat4j.runtime.TfliteException | IllegalArgumentException e) {
      throw CliException.usage(file + " is not a valid .tflite model: " + Main.oneLine(e));
    }
  }

  /** Top-1 accuracy over {@code test} (batch 1 per invoke). */
  static JsonObject eval(Path file, Dataset test, Backend b, int threads, Pipeline.ProgressFactory progress,
                         java.util.function.Consumer<String> warn) throws IOException {
    try (TfliteModel m = model(file); Interpreter it = open(m, b, threads)) {
      checkClassifier(it, test, file);
      long correct = 0;
      long t0 = System.nanoTime();
      try (Progress p = progress.create("eval " + file.getFileName() + " (" + b + ")", test.size(), "images")) {
        // The runtime's top-1 loop, in chunks of 100 so progress can be shown.
        for (int from = 0; from < test.size(); from += 100) {
          Dataset part = test.subset(from, Math.min(test.size(), from + 100));
          correct += Validation.accuracy(it, part).correct();
          p.status(String.format(Locale.ROOT, "accuracy %.4f", correct / (double) (from + part.size())));
          p.step(part.size());
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      JsonObject r = new JsonObject();
      r.addProperty("accuracy", correct / (double) test.size());
      r.addProperty("count", test.size());
      r.addProperty("backend", b.id());
      r.addProperty("threads", threads);
      r.addProperty("images_per_second", test.size() / secs);
      r.addProperty("model", file.toString());
      r.addProperty("coverage", it.coverage().summary());
      if (b != Backend.BUILTIN && !it.coverage().delegated() && warn != null) warn.accept("warning: " + it.coverage().summary());
      return r;
    }
  }

  private static void checkClassifier(Interpreter it, Dataset test, Path file) {
    TensorInfo in = it.inputInfo(0);
    long want = 1;
    for (int d : test.sampleShape()) want *= d;
    if (in.elementCount() != want) {
      throw CliException.usage("--model: " + file + " takes input " + Arrays.toString(in.shape()) + ", the data has samples "
          + Arrays.toString(test.sampleShape()));
    }
  }

  /** benchmark_model-style timing: init, first invoke, warm-up, then ≥ runs and ≥ minSecs (≤ maxSecs) steady invokes. */
  static JsonObject bench(Path file, Backend b, int threads, int runs, int warmup, double minSecs, double maxSecs,
                          Pipeline.ProgressFactory progress) throws IOException {
    Probes.tflite(); // library loading is not part of init time, as in benchmark_model
    long t0 = System.nanoTime();
    try (TfliteModel m = model(file); Interpreter it = open(m, b, threads)) {
      double initMs = (System.nanoTime() - t0) / 1e6;
      fillInputs(it);
      long f0 = System.nanoTime();
      it.invoke();
      double firstMs = (System.nanoTime() - f0) / 1e6;
      for (int i = 0; i < warmup; i++) it.invoke();
      double[] samples = new double[Math.max(runs, 16)];
      int n = 0;
      long start = System.nanoTime();
      try (Progress p = progress.create("bench " + file.getFileName() + " (" + b + ", " + threads + "t)", runs, "runs")) {
        while (true) {
          double elapsed = (System.nanoTime() - start) / 1e9;
          if (n >= runs && elapsed >= minSecs || elapsed >= maxSecs) break;
          long s = System.nanoTime();
          it.invoke();
          if (n == samples.length) samples = Arrays.copyOf(samples, n * 2);
          samples[n++] = (System.nanoTime() - s) / 1e6;
          if (n <= runs) p.step(1);
        }
      }
      samples = Arrays.copyOf(samples, n);
      DelegateCoverage c = it.coverage();
      JsonObject r = new JsonObject();
      r.addProperty("model", file.toString());
      r.addProperty("bytes", Files.size(file));
      r.addProperty("backend", b.id());
      r.addProperty("threads", threads);
      r.addProperty("init_ms", initMs);
      r.addProperty("first_ms", firstMs);
      r.addProperty("warmup_runs", warmup);
      r.add("steady", stats(samples));
      r.addProperty("delegated_ops", c.delegatedOps());
      r.addProperty("cpu_ops", c.cpuOps());
      r.addProperty("model_ops", c.modelOps());
      r.addProperty("coverage", c.summary());
      r.addProperty("tflite_version", Probes.tflite().version());
      r.add("samples_ms", Json.array(samples));
      return r;
    }
  }

  /** Deterministic mid-range inputs (benchmark timing does not depend on values for these ops). */
  private static void fillInputs(Interpreter it) {
    for (int i = 0; i < it.inputCount(); i++) {
      TensorInfo t = it.inputInfo(i);
      float[] v = new float[(int) t.elementCount()];
      for (int k = 0; k < v.length; k++) v[k] = (k * 37 % 101) / 100f;
      it.setInputReal(i, v);
    }
  }

  /** The runtime's {@link Stats} of the steady samples plus p5/p95 for the report. */
  static JsonObject stats(double[] samples) {
    Stats st = Stats.of(samples);
    double[] s = samples.clone();
    Arrays.sort(s);
    return Json.object("count", st.count(), "avg_ms", st.avg(), "std_ms", st.std(), "min_ms", st.min(), "max_ms", st.max(),
        "p5_ms", pct(s, 5), "p50_ms", st.p50(), "p90_ms", st.p90(), "p95_ms", pct(s, 95), "p99_ms", st.p99());
  }

  /** Nearest-rank percentile of sorted values. */
  static double pct(double[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

}
