package org.qat4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorflowlite.global.tensorflowlite;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.layers.Dense;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Benchmark;
import org.qat4j.tflite.TfliteWriter;

/**
 * Java binding overhead: qat4j's {@code Interpreter.invoke()} (timed by {@link Benchmark}) against
 * native/bench's {@code invoke_bench}, which calls TfLiteInterpreterInvoke from C through the same
 * libjnitensorflowlite.so. Java and C blocks alternate round by round; the table gives the medians
 * of the per-round p50s. Usage: {@code BindingOverhead --invoke-bench=PATH
 * [--models=a.tflite,b.tflite] [--backends=BUILTIN,XNNPACK] [--threads=1] [--runs=200] [--rounds=5]
 * [--out=DIR]}; without --models it times a one-op FULLY_CONNECTED 8→8 model it writes itself.
 */
public final class BindingOverhead {
  private static final Pattern P50 = Pattern.compile("p50_us=([0-9.]+)");

  private BindingOverhead() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Args a = new Args(args);
    Path exe = Path.of(a.get("invoke-bench", "/tmp/qat4j-invoke-bench/invoke_bench"));
    if (!Files.isExecutable(exe))
      throw new IllegalArgumentException(
          "--invoke-bench: " + exe + " is not an executable (build native/bench with cmake)");
    String lib = Loader.load(tensorflowlite.class);
    Path out = Path.of(a.get("out", "target/zoo-figures"));
    List<Path> models = new ArrayList<>();
    for (String m : a.list("models", "")) if (!m.isEmpty()) models.add(Path.of(m));
    if (models.isEmpty()) models.add(tinyModel(out));
    int runs = a.integer("runs", 200), rounds = a.integer("rounds", 5);
    StringBuilder md =
        new StringBuilder(
            String.format(
                "Library %s%nLoad average at start %s%n%n", lib, ZooFigures.loadAverage()));
    md.append(
        String.format(
            "| model | backend | threads | Java p50 µs | C p50 µs | Java − C µs | Java/C |  (median of %d alternating rounds × %d invokes)%n",
            rounds, runs));
    md.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (Path m : models)
      for (String b : a.list("backends", "BUILTIN,XNNPACK"))
        for (String t : a.list("threads", "1")) {
          double[] j = new double[rounds], c = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            if (r % 2 == 0) {
              j[r] = javaP50(m, b, t, runs);
              c[r] = cP50(exe, lib, m, b, t, runs);
            } else {
              c[r] = cP50(exe, lib, m, b, t, runs);
              j[r] = javaP50(m, b, t, runs);
            }
          }
          double jm = ZooFigures.median(j), cm = ZooFigures.median(c);
          System.err.printf(
              "%s %s %s: java %s c %s%n",
              m.getFileName(), b, t, java.util.Arrays.toString(j), java.util.Arrays.toString(c));
          md.append(
              String.format(
                  "| %s | %s | %s | %.2f | %.2f | %+.2f | %.3f |%n",
                  m.getFileName(), b, t, jm, cm, jm - cm, jm / cm));
        }
    md.append(String.format("%nLoad average at end %s%n", ZooFigures.loadAverage()));
    System.out.println(md);
  }

  private static double javaP50(Path model, String backend, String threads, int runs)
      throws IOException {
    Benchmark.Config c =
        Benchmark.Config.of(model)
            .with(Backend.valueOf(backend), Integer.parseInt(threads))
            .runs(10, 0, runs, 0, 600);
    return Benchmark.run(c).steady().p50() * 1000;
  }

  private static double cP50(
      Path exe, String lib, Path model, String backend, String threads, int runs)
      throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                exe.toString(),
                lib,
                model.toString(),
                "--threads=" + threads,
                "--warmup=10",
                "--runs=" + runs));
    if (backend.equals("XNNPACK")) cmd.add("--xnnpack");
    else if (!backend.equals("BUILTIN"))
      throw new IllegalArgumentException(
          "invoke_bench supports BUILTIN and XNNPACK, not " + backend);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0)
      throw new IOException("invoke_bench failed (exit " + p.exitValue() + "): " + cmd);
    Matcher mt = P50.matcher(text);
    if (!mt.find()) throw new IOException("invoke_bench printed no p50: " + text);
    return Double.parseDouble(mt.group(1));
  }

  /**
   * A one-operator float model (FULLY_CONNECTED 8→8), so an invoke is almost only call overhead.
   */
  static Path tinyModel(Path dir) throws IOException {
    Model m = new Sequential(1L, "input", 8).add(new Dense("fc", 8)).build();
    Files.createDirectories(dir);
    Path f = dir.resolve("tiny_fc8_float.tflite");
    Files.write(f, TfliteWriter.write(FloatLowering.lower(m)));
    return f;
  }
}
