package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qat4j bench}: latency of a .tflite model, shaped like TFLite's benchmark_model. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmark a .tflite model (init, first inference, steady-state distribution) on one backend.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j bench --model cnn-int8.tflite",
      "  ./qat4j bench --model cnn-int8.tflite --backend xnnpack --threads 2 --runs 200 --warmup 10 --json",
      "  ./qat4j bench --model downloaded.tflite --isolate   (times include the pipe round trip)",
      "",
      "JSON fields: backend, threads, init_ms, first_ms, steady{count, avg_ms, std_ms, min_ms, max_ms, p50_ms, p90_ms, p99_ms},",
      "             delegated_ops, cpu_ops, tflite_version, bytes"
    })
final class BenchCommand extends BaseCommand {
  @Mixin InterpreterOptions run;

  @Mixin IsolateOption isolation;

  @Option(
      names = "--runs",
      defaultValue = "50",
      description = "Minimum steady-state runs (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--warmup",
      defaultValue = "1",
      description = "Warm-up runs, excluded (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--min-secs",
      defaultValue = "1",
      description = "Steady state lasts at least this long (default: ${DEFAULT-VALUE}).")
  double minSecs;

  @Option(
      names = "--max-secs",
      defaultValue = "150",
      description = "Steady state stops after this long (default: ${DEFAULT-VALUE}).")
  double maxSecs;

  @Option(
      names = "--profile",
      description = "Per-operator timing table (TFLite telemetry profiler) over the steady runs.")
  boolean profile;

  @Override
  JsonObject execute() throws Exception {
    Pipeline p = pipeline();
    run.check(p, isolation.isolate);
    Pipeline.readTflite(run.model, "--model");
    Args.positive(runs, "--runs");
    Args.nonNegative(warmup, "--warmup");
    if (!(minSecs >= 0) || !(maxSecs > 0) || maxSecs < minSecs)
      throw CliException.usage(
          "--min-secs/--max-secs: need 0 <= min <= max, got " + minSecs + "/" + maxSecs);
    return new BenchSteps(p.isolated(isolation.isolate).withCustomOps(run.customOps))
        .benchmark(run.model, run.backend, run.threads, runs, warmup, minSecs, maxSecs, profile);
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    JsonObject s = r.getAsJsonObject("steady");
    out.printf(
        "%s, backend %s, %d thread(s): delegated %d op(s), %d on CPU%n",
        r.get("model").getAsString(),
        r.get("backend").getAsString(),
        r.get("threads").getAsInt(),
        r.get("delegated_ops").getAsInt(),
        r.get("cpu_ops").getAsInt());
    out.printf(
        "init %.2f ms, first %.3f ms%n",
        r.get("init_ms").getAsDouble(), r.get("first_ms").getAsDouble());
    out.printf(
        "steady count=%d avg=%.3f std=%.3f min=%.3f p50=%.3f p90=%.3f p99=%.3f max=%.3f ms%n",
        s.get("count").getAsInt(),
        s.get("avg_ms").getAsDouble(),
        s.get("std_ms").getAsDouble(),
        s.get("min_ms").getAsDouble(),
        s.get("p50_ms").getAsDouble(),
        s.get("p90_ms").getAsDouble(),
        s.get("p99_ms").getAsDouble(),
        s.get("max_ms").getAsDouble());
    if (r.has("op_profile")) {
      out.printf("%n%-28s %8s %12s %10s%n", "operator", "count", "total ms", "avg ms");
      for (com.google.gson.JsonElement e : r.getAsJsonArray("op_profile")) {
        JsonObject o = e.getAsJsonObject();
        out.printf(
            "%-28s %8d %12.3f %10.4f%n",
            o.get("name").getAsString(),
            o.get("count").getAsLong(),
            o.get("total_ms").getAsDouble(),
            o.get("avg_ms").getAsDouble());
      }
    }
  }
}
