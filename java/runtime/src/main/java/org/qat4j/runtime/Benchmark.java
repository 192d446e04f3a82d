package org.qat4j.runtime;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.qat4j.ir.DType;

/**
 * Benchmark harness shaped like TFLite's {@code benchmark_model}: model size, init, first
 * inference, warm-up and steady-state statistics (runs bounded by count and time), memory, backend,
 * threads, delegate coverage, optional per-op table, text or JSON. Inputs are filled with
 * fixed-seed random data.
 */
public final class Benchmark {
  private Benchmark() {}

  /**
   * Run settings; defaults mirror benchmark_model (50 runs, ≥1 s, ≤150 s; 1 warm-up, ≥0.5 s). With
   * {@code isolated} TFLite runs in a child process ({@link Interpreter.Options.Builder#isolated}),
   * so the times include the pipe round trip.
   */
  public record Config(
      Path model,
      Backend backend,
      int threads,
      int warmupRuns,
      double warmupMinSecs,
      int numRuns,
      double minSecs,
      double maxSecs,
      boolean opProfiling,
      boolean isolated) {
    public static Config of(Path model) {
      return new Config(model, Backend.BUILTIN, -1, 1, 0.5, 50, 1.0, 150.0, false, false);
    }

    public Config with(Backend b, int t) {
      return new Config(
          model, b, t, warmupRuns, warmupMinSecs, numRuns, minSecs, maxSecs, opProfiling, isolated);
    }

    public Config runs(int warmup, double warmupSecs, int n, double min, double max) {
      return new Config(
          model, backend, threads, warmup, warmupSecs, n, min, max, opProfiling, isolated);
    }

    public Config profiling(boolean on) {
      return new Config(
          model,
          backend,
          threads,
          warmupRuns,
          warmupMinSecs,
          numRuns,
          minSecs,
          maxSecs,
          on,
          isolated);
    }

    public Config isolated(boolean on) {
      return new Config(
          model,
          backend,
          threads,
          warmupRuns,
          warmupMinSecs,
          numRuns,
          minSecs,
          maxSecs,
          opProfiling,
          on);
    }
  }

  /**
   * Everything measured; times in ms, memory in KiB (RSS from /proc/self/status, -1 if
   * unavailable). {@code steadySamplesMs} holds every steady-state invoke time in ms, in run order
   * (an immutable copy; {@code steady} summarises it), so callers can plot or derive other
   * percentiles.
   */
  public record Report(
      String model,
      long modelBytes,
      String tfliteVersion,
      Backend backend,
      int threads,
      double loadMs,
      double initMs,
      double firstInferenceMs,
      Stats warmup,
      Stats steady,
      List<Double> steadySamplesMs,
      long rssBeforeKb,
      long rssAfterInitKb,
      long rssAfterKb,
      DelegateCoverage coverage,
      String coverageSummary,
      List<OpStats> ops) {

    public Report {
      steadySamplesMs = List.copyOf(steadySamplesMs);
    }

    public String toJson() {
      return new GsonBuilder()
          .setPrettyPrinting()
          .serializeSpecialFloatingPointValues()
          .create()
          .toJson(this);
    }

    public String toText() {
      StringBuilder sb = new StringBuilder();
      sb.append(coverageSummary).append('\n');
      sb.append(
          String.format(
              "Model %s: %.4f MB, TFLite %s, backend %s, threads %d%n",
              model, modelBytes / 1e6, tfliteVersion, backend, threads));
      sb.append(
          String.format(
              "Load %.3f ms, init %.3f ms, first inference %.3f ms%n",
              loadMs, initMs, firstInferenceMs));
      sb.append("Warm-up: ")
          .append(warmup)
          .append('\n')
          .append("Steady:  ")
          .append(steady)
          .append('\n');
      sb.append(
          String.format(
              "RSS KiB: before %d, after init %d, after runs %d%n",
              rssBeforeKb, rssAfterInitKb, rssAfterKb));
      if (ops != null) {
        sb.append(String.format("%-28s %8s %12s %10s%n", "op", "count", "total ms", "avg ms"));
        for (OpStats o : ops) {
          sb.append(
              String.format(
                  "%-28s %8d %12.3f %10.4f%n", o.name(), o.count(), o.totalMs(), o.avgMs()));
        }
      }
      return sb.toString();
    }
  }

  public static Report run(Config c) throws IOException {
    long rss0 = rssKb();
    byte[] bytes = Files.readAllBytes(c.model());
    long t0 = System.nanoTime();
    try (TfliteModel model = TfliteModel.fromBytes(bytes)) {
      long t1 = System.nanoTime();
      DelegateCoverage.Latest coverage = new DelegateCoverage.Latest();
      OpProfile profile = new OpProfile();
      Interpreter.Options.Builder ob =
          Interpreter.Options.builder()
              .backend(c.backend())
              .threads(c.threads())
              .isolated(c.isolated())
              .listener(coverage);
      Interpreter.Options opts = (c.opProfiling() ? ob.listener(profile) : ob).build();
      try (Interpreter it = Interpreter.create(model, opts)) {
        long t2 = System.nanoTime();
        long rssInit = rssKb();
        fillInputs(it);
        double first = timeOne(it);
        double[] warm = loop(it, c.warmupRuns(), c.warmupMinSecs(), c.maxSecs());
        profile.reset();
        double[] steady = loop(it, c.numRuns(), c.minSecs(), c.maxSecs());
        List<OpStats> ops = c.opProfiling() ? profile.table() : null;
        return new Report(
            c.model().getFileName().toString(),
            bytes.length,
            Native.version(),
            c.backend(),
            c.threads(),
            (t1 - t0) / 1e6,
            (t2 - t1) / 1e6,
            first,
            Stats.of(warm),
            Stats.of(steady),
            Arrays.stream(steady).boxed().toList(),
            rss0,
            rssInit,
            rssKb(),
            coverage.get(),
            coverage.get().summary(),
            ops);
      }
    }
  }

  private static double[] loop(Interpreter it, int minRuns, double minSecs, double maxSecs) {
    List<Double> ms = new ArrayList<>();
    long start = System.nanoTime();
    while (true) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      boolean enough = ms.size() >= minRuns && elapsed >= minSecs;
      if (enough || elapsed >= maxSecs || (minRuns == 0 && ms.size() == 0 && minSecs == 0)) {
        break;
      }
      ms.add(timeOne(it));
    }
    return ms.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double timeOne(Interpreter it) {
    long t = System.nanoTime();
    it.invoke();
    return (System.nanoTime() - t) / 1e6;
  }

  static void fillInputs(Interpreter it) {
    Random r = new Random(1234);
    for (int i = 0; i < it.inputCount(); i++) {
      TensorView in = it.input(i);
      ByteBuffer b = ByteBuffer.allocate((int) in.numBytes()).order(ByteOrder.LITTLE_ENDIAN);
      if (in.dataType() == DType.FLOAT32) {
        while (b.remaining() >= 4) {
          b.putFloat(r.nextFloat() * 2 - 1);
        }
      } else {
        r.nextBytes(b.array());
      }
      b.rewind();
      in.write(b);
    }
  }

  /** Resident set size of this process in KiB (Linux), -1 elsewhere. */
  public static long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
