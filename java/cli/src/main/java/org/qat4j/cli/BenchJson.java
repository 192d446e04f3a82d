package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
import org.qat4j.runtime.OpStats;
import org.qat4j.runtime.Stats;

/**
 * Maps a runtime {@link Benchmark.Report} to the JSON contract of {@code bench} and of the demo's
 * bench rows (times in ms).
 */
final class BenchJson {
  private BenchJson() {}

  /** The {@code bench} command's fields. */
  static JsonObject of(Path model, Backend backend, int threads, Benchmark.Report b) {
    JsonObject r = new JsonObject();
    r.addProperty("model", model.toString());
    r.addProperty("bytes", b.modelBytes());
    r.addProperty("backend", TfliteRun.id(backend));
    r.addProperty("threads", threads);
    r.addProperty("init_ms", b.loadMs() + b.initMs());
    r.addProperty("load_ms", b.loadMs());
    r.addProperty("interpreter_ms", b.initMs());
    r.addProperty("first_ms", b.firstInferenceMs());
    r.add("warmup", stats(b.warmup()));
    r.add("steady", stats(b.steady()));
    r.addProperty("delegated_ops", b.coverage().delegatedOps());
    r.addProperty("cpu_ops", b.coverage().cpuOps());
    r.addProperty("model_ops", b.coverage().modelOps());
    r.addProperty("coverage", b.coverageSummary());
    r.addProperty("tflite_version", b.tfliteVersion());
    r.add(
        "rss_kb",
        Json.object(
            "before", b.rssBeforeKb(), "after_init", b.rssAfterInitKb(), "after", b.rssAfterKb()));
    if (b.ops() != null) {
      JsonArray ops = new JsonArray();
      for (OpStats o : b.ops())
        ops.add(
            Json.object(
                "name",
                o.name(),
                "count",
                o.count(),
                "total_ms",
                o.totalMs(),
                "avg_ms",
                o.avgMs()));
      r.add("op_profile", ops);
    }
    return r;
  }

  /**
   * A demo bench row: the {@code bench} fields plus p5/p95, {@code warmup_runs} and every steady
   * sample ({@code samples_ms}) for the plots.
   */
  static JsonObject withSamples(Path model, Backend backend, int threads, Benchmark.Report b) {
    JsonObject r = of(model, backend, threads, b);
    double[] samples = b.steadySamplesMs().stream().mapToDouble(Double::doubleValue).toArray();
    r.add("steady", stats(samples));
    r.addProperty("warmup_runs", b.warmup().count());
    r.add("samples_ms", Json.array(samples));
    return r;
  }

  /** The runtime's {@link Stats} of {@code samples} plus p5/p95 for the report. */
  static JsonObject stats(double[] samples) {
    JsonObject j = stats(Stats.of(samples));
    double[] s = samples.clone();
    Arrays.sort(s);
    j.addProperty("p5_ms", pct(s, 5));
    j.addProperty("p95_ms", pct(s, 95));
    return j;
  }

  private static JsonObject stats(Stats s) {
    return Json.object(
        "count", s.count(), "avg_ms", s.avg(), "std_ms", s.std(), "min_ms", s.min(), "max_ms",
        s.max(), "p50_ms", s.p50(), "p90_ms", s.p90(), "p99_ms", s.p99());
  }

  /** Nearest-rank percentile of sorted values (the rank rule of {@link Stats}). */
  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) return 0; // as Stats.of reports an empty run
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
