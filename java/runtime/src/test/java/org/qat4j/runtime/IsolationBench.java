package org.qat4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Overhead of crash isolation (a documented command, not a test): one in-process and one isolated
 * interpreter on the same model, and alternating blocks of write-input / invoke / read-output
 * cycles so that load changes hit both alike. Prints creation time and per-cycle min / p50 / mean
 * in ms for each, and the difference. Usage: {@code IsolationBench <model.tflite> [cycles=400]
 * [threads=1]}
 */
final class IsolationBench {
  private IsolationBench() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    try (TfliteModel m = TfliteModel.fromBytes(Files.readAllBytes(file))) {
      long t0 = System.nanoTime();
      Interpreter local =
          Interpreter.create(m, Interpreter.Options.builder().threads(threads).build());
      long t1 = System.nanoTime();
      Interpreter iso =
          Interpreter.create(
              m, Interpreter.Options.builder().threads(threads).isolated(true).build());
      long t2 = System.nanoTime();
      try (local;
          iso) {
        byte[] input = new byte[(int) local.input(0).numBytes()];
        new java.util.Random(1).nextBytes(input);
        double[] a = new double[cycles];
        double[] b = new double[cycles];
        cycle(local, input);
        cycle(iso, input);
        for (int i = 0; i < cycles; i += 10) {
          for (int k = i; k < Math.min(cycles, i + 10); k++) {
            a[k] = cycle(local, input);
          }
          for (int k = i; k < Math.min(cycles, i + 10); k++) {
            b[k] = cycle(iso, input);
          }
        }
        System.out.printf(
            Locale.ROOT,
            "model %s (%d bytes in, %d bytes out), %d threads, %d cycles each%n",
            file.getFileName(),
            input.length,
            local.output(0).numBytes(),
            threads,
            cycles);
        System.out.printf(
            Locale.ROOT,
            "create: in-process %.1f ms, isolated %.1f ms (child JVM start + load)%n",
            (t1 - t0) / 1e6,
            (t2 - t1) / 1e6);
        report("in-process", a);
        report("isolated", b);
        System.out.printf(
            Locale.ROOT,
            "overhead per cycle: p50 %+.3f ms, min %+.3f ms%n",
            p(b, 0.5) - p(a, 0.5),
            p(b, 0) - p(a, 0));
      }
    }
  }

  private static double cycle(Interpreter it, byte[] input) {
    long s = System.nanoTime();
    it.input(0).write(java.nio.ByteBuffer.wrap(input));
    it.invoke();
    it.output(0).readBuffer();
    return (System.nanoTime() - s) / 1e6;
  }

  private static void report(String what, double[] ms) {
    System.out.printf(
        Locale.ROOT,
        "%-10s min %.3f  p50 %.3f  mean %.3f ms%n",
        what,
        p(ms, 0),
        p(ms, 0.5),
        Arrays.stream(ms).average().orElse(0));
  }

  private static double p(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  }
}
