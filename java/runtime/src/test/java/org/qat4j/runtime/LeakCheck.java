package org.qat4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Create/invoke/close cycles to show that native memory is returned: samples RSS (KiB) every {@code
 * cycles/10}. Usage: {@code LeakCheck <model.tflite> [cycles=10000] [BUILTIN|XNNPACK]}.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /**
   * Runs the cycles; returns RSS samples in KiB (index 0 after 1000 warm-up cycles, then every
   * tenth; each after a GC).
   */
  public static long[] run(byte[] model, int cycles, Backend backend) {
    for (int i = 0; i < 1000; i++) {
      cycle(model, backend);
    }
    long[] rss = new long[11];
    rss[0] = sample();
    int step = Math.max(1, cycles / 10);
    for (int i = 1; i <= cycles; i++) {
      cycle(model, backend);
      if (i % step == 0 && i / step <= 10) {
        rss[i / step] = sample();
      }
    }
    return rss;
  }

  /** RSS after a GC, so Java heap garbage does not look like a native leak. */
  private static long sample() {
    System.gc();
    return Benchmark.rssKb();
  }

  /** Bytes JavaCPP currently tracks as allocated (should return to its baseline after close). */
  public static long javacppBytes() {
    return org.bytedeco.javacpp.Pointer.totalBytes();
  }

  private static void cycle(byte[] bytes, Backend backend) {
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter it =
            Interpreter.create(
                m, Interpreter.Options.builder().backend(backend).threads(1).build())) {
      Benchmark.fillInputs(it);
      it.invoke();
      it.output(0).readBuffer();
    }
  }

  public static void main(String[] args) throws Exception {
    byte[] model = Files.readAllBytes(Path.of(args[0]));
    int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Backend b = args.length > 2 ? Backend.valueOf(args[2]) : Backend.BUILTIN;
    long t0 = System.nanoTime();
    long before = javacppBytes();
    long[] rss = run(model, cycles, b);
    System.out.println("JavaCPP tracked bytes before/after: " + before + " / " + javacppBytes());
    System.out.printf(
        "%d create/invoke/close cycles on %s in %.1f s; RSS KiB: %s; growth %d KiB%n",
        cycles,
        b,
        (System.nanoTime() - t0) / 1e9,
        java.util.Arrays.toString(rss),
        rss[10] - rss[0]);
  }
}
