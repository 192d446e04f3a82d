package org.qat4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
import org.qat4j.runtime.OpStats;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;
import org.qat4j.tflite.edgetpu.PreflightReport;

/**
 * Zoo figures as Markdown: float32 vs int8 file sizes, EdgeTPU pre-flight, and float vs int8
 * latency through {@link Benchmark} on BUILTIN and XNNPACK at 1 and 2 threads, float and int8
 * interleaved round by round (order alternating) and reported as the median of the per-round p50s,
 * plus per-op profiles. Usage: {@code ZooFigures [--models=a,b] [--out=DIR] [--calib=256]
 * [--runs=10] [--rounds=3] [--threads=1,2] [--backends=BUILTIN,XNNPACK] [--profile=true]
 * [--export=true]}; {@code --export=false} reuses the files a previous run wrote to --out.
 */
public final class ZooFigures {
  private ZooFigures() {}

  public static void main(String[] args) throws IOException {
    Args a = new Args(args);
    List<String> models = a.list("models", "mobilenet-v1,mobilenet-v2,resnet50,mobilenet-mini");
    Path out = Path.of(a.get("out", "target/zoo-figures"));
    int calib = a.integer("calib", 256),
        runs = a.integer("runs", 10),
        rounds = a.integer("rounds", 3);
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            "Host: %d CPUs, load average at start %s%n%n",
            Runtime.getRuntime().availableProcessors(), loadAverage()));
    List<ZooExports.Pair> pairs = new ArrayList<>();
    boolean export = Boolean.parseBoolean(a.get("export", "true"));
    for (String m : models) {
      pairs.add(export ? ZooExports.export(m, out, calib, 8) : ZooExports.existing(m, out));
      System.err.println((export ? "exported " : "reusing ") + m);
    }
    md.append(sizes(pairs, calib)).append('\n').append(preflight(pairs)).append('\n');
    md.append(
        latency(
            pairs, a.list("backends", "BUILTIN,XNNPACK"), a.list("threads", "1,2"), runs, rounds));
    if (Boolean.parseBoolean(a.get("profile", "true")))
      md.append('\n').append(profiles(pairs, runs));
    md.append(String.format("%nLoad average at end %s%n", loadAverage()));
    Files.writeString(out.resolve("zoo-figures.md"), md);
    System.out.println(md);
  }

  static String sizes(List<ZooExports.Pair> pairs, int calib) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "| model | float32 bytes | int8 bytes | int8/float | PTQ calibration (%d images) |%n",
                calib));
    sb.append("|---|---:|---:|---:|---:|\n");
    for (ZooExports.Pair p : pairs) {
      long f = Files.size(p.floatFile()), q = Files.size(p.int8File());
      sb.append(
          String.format(
              "| %s | %,d | %,d | %.3f | %.1f s |%n",
              p.name(), f, q, (double) q / f, p.calibSecs()));
    }
    return sb.toString();
  }

  static String preflight(List<ZooExports.Pair> pairs) throws IOException {
    StringBuilder sb =
        new StringBuilder(
            "| int8 model | operators | mapped to EdgeTPU | CPU | op types |\n|---|---:|---:|---:|---|\n");
    for (ZooExports.Pair p : pairs) {
      PreflightReport r =
          EdgeTpuPreflight.check(TfliteReader.read(Files.readAllBytes(p.int8File())));
      sb.append(
          String.format(
              "| %s | %d | %d | %d | %s |%n",
              p.name(), r.totalOps(), r.edgetpuOps(), r.cpuOps(), r.statusCounts()));
      if (r.cpuOps() > 0) System.err.println(r.text());
    }
    return sb.toString();
  }

  static String latency(
      List<ZooExports.Pair> pairs,
      List<String> backends,
      List<String> threads,
      int runs,
      int rounds)
      throws IOException {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "| model | backend | threads | float p50 ms | int8 p50 ms | float/int8 |  (median of %d interleaved rounds × %d runs)%n",
                rounds, runs));
    sb.append("|---|---|---:|---:|---:|---:|\n");
    for (ZooExports.Pair p : pairs)
      for (String b : backends)
        for (String t : threads) {
          double[] fp = new double[rounds], qp = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            boolean floatFirst = r % 2 == 0;
            double first =
                p50(
                    floatFirst ? p.floatFile() : p.int8File(),
                    Backend.valueOf(b),
                    Integer.parseInt(t),
                    runs);
            double second =
                p50(
                    floatFirst ? p.int8File() : p.floatFile(),
                    Backend.valueOf(b),
                    Integer.parseInt(t),
                    runs);
            fp[r] = floatFirst ? first : second;
            qp[r] = floatFirst ? second : first;
          }
          double f = median(fp), q = median(qp);
          sb.append(
              String.format(
                  "| %s | %s | %s | %.4g | %.4g | %.2f× |%n", p.name(), b, t, f, q, f / q));
          System.err.printf(
              "%s %s %s: float %s int8 %s%n",
              p.name(), b, t, Arrays.toString(fp), Arrays.toString(qp));
        }
    return sb.toString();
  }

  static String profiles(List<ZooExports.Pair> pairs, int runs) throws IOException {
    StringBuilder sb =
        new StringBuilder("Per-op profile, 1 thread (top operators by total time per invoke):\n\n");
    for (ZooExports.Pair p : pairs)
      for (Backend b : List.of(Backend.XNNPACK, Backend.BUILTIN)) {
        for (Path f : List.of(p.floatFile(), p.int8File())) {
          Benchmark.Report r = Benchmark.run(config(f, b, 1, runs).profiling(true));
          sb.append(
              String.format(
                  "- %s %s: p50 %.2f ms; %s%n",
                  f.getFileName(), b, r.steady().p50(), topOps(r.ops(), r.steady().count())));
        }
      }
    return sb.toString();
  }

  private static String topOps(List<OpStats> ops, int invokes) {
    if (ops == null || ops.isEmpty()) return "no per-op events";
    double total = ops.stream().mapToDouble(OpStats::totalMs).sum();
    StringBuilder sb = new StringBuilder();
    ops.stream()
        .sorted(Comparator.comparingDouble(OpStats::totalMs).reversed())
        .limit(6)
        .forEach(
            o ->
                sb.append(
                    String.format(
                        "%s %.2f ms (%.0f%%), ",
                        o.name(), o.totalMs() / Math.max(1, invokes), 100 * o.totalMs() / total)));
    return sb.substring(0, sb.length() - 2);
  }

  static Benchmark.Config config(Path f, Backend b, int threads, int runs) {
    return Benchmark.Config.of(f).with(b, threads).runs(2, 0, runs, 0, 600);
  }

  private static double p50(Path f, Backend b, int threads, int runs) throws IOException {
    return Benchmark.run(config(f, b, threads, runs)).steady().p50();
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unavailable";
    }
  }
}
