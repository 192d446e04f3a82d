package org.qat4j.runtime;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Command-line front of {@link Benchmark}, flags as in TFLite's {@code benchmark_model} (a tool
 * kept with the tests; commands in docs/RUNTIME.md).
 */
public final class BenchmarkModel {
  private BenchmarkModel() {}

  /**
   * {@code BenchmarkModel --graph=m.tflite [--backend=XNNPACK] [--num_threads=1] [--num_runs=50]
   * [--warmup_runs=1] [--min_secs=1] [--max_secs=150] [--enable_op_profiling=true] [--json]}.
   */
  public static void main(String[] args) throws IOException {
    Benchmark.Config c = null;
    boolean json = false;
    Backend b = Backend.BUILTIN;
    int threads = -1;
    int runs = 50;
    int warm = 1;
    double min = 1;
    double max = 150;
    boolean prof = false;
    for (String a : args) {
      String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : "true";
      if (a.startsWith("--graph=")) {
        c = Benchmark.Config.of(Path.of(v));
      } else if (a.startsWith("--backend=")) {
        b = Backend.valueOf(v.toUpperCase());
      } else if (a.startsWith("--num_threads=")) {
        threads = Integer.parseInt(v);
      } else if (a.startsWith("--num_runs=")) {
        runs = Integer.parseInt(v);
      } else if (a.startsWith("--warmup_runs=")) {
        warm = Integer.parseInt(v);
      } else if (a.startsWith("--min_secs=")) {
        min = Double.parseDouble(v);
      } else if (a.startsWith("--max_secs=")) {
        max = Double.parseDouble(v);
      } else if (a.startsWith("--enable_op_profiling")) {
        prof = Boolean.parseBoolean(v);
      } else if (a.equals("--json")) {
        json = true;
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    if (c == null) {
      throw new IllegalArgumentException("--graph=<model.tflite> is required");
    }
    Benchmark.Report r =
        Benchmark.run(c.with(b, threads).runs(warm, 0.5, runs, min, max).profiling(prof));
    System.out.println(json ? r.toJson() : r.toText());
  }
}
