package org.qat4j.core.layers;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.ir.internal.Parallel;

/**
 * Micro-benchmark (not a test): forward + backward time of the reference CNN's layers at batch 64
 * on random 28x28x1 inputs, with a per-layer breakdown. Arguments: threads (2), steps (200), GEMM
 * threads (= threads). Optimizer and data loading are excluded; see TrainReference for end-to-end
 * training speed.
 */
public final class ReferenceCnnBench {
  private ReferenceCnnBench() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Parallel.setThreads(threads);
    // Optional: a different OpenBLAS thread count, to see how its spinning workers share the cores.
    if (args.length > 2) Gemm.get().setThreads(Integer.parseInt(args[2]));
    List<Layer> layers =
        List.of(
            new Conv2D("conv1", 32, 3, 3),
            new BatchNormalization("bn1"),
            new ReLU("relu1"),
            new MaxPool2D("pool1", 2, 2),
            new Conv2D("conv2", 64, 3, 3),
            new BatchNormalization("bn2"),
            new ReLU("relu2"),
            new MaxPool2D("pool2", 2, 2),
            new Flatten("flatten"),
            new Dense("fc1", 128),
            new ReLU("relu3"),
            new Dense("fc2", 10));
    Sequential s = new Sequential(1L, "input", 28, 28, 1);
    for (Layer l : layers) s.add(l);
    s.build();
    int batch = 64;
    SplittableRandom rng = new SplittableRandom(3);
    Tensor x = Tensor.zeros(batch, 28, 28, 1);
    for (int i = 0; i < x.size(); i++) x.set(i, (float) rng.nextDouble());
    Tensor g = Tensor.zeros(batch, 10);
    for (int i = 0; i < g.size(); i++) g.set(i, (float) (rng.nextDouble() - 0.5) / batch);
    long[] fwd = new long[layers.size()], bwd = new long[layers.size()];
    ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(1));
    int warm = Math.max(20, steps / 5);
    long total = 0, cpu0 = 0;
    for (int it = 0; it < warm + steps; it++) {
      if (it == warm) {
        java.util.Arrays.fill(fwd, 0);
        java.util.Arrays.fill(bwd, 0);
        cpu0 = processCpuNanos();
      }
      long t0 = System.nanoTime();
      step(layers, x, g, ctx, fwd, bwd);
      if (it >= warm) total += System.nanoTime() - t0;
    }
    double cpuMs = (processCpuNanos() - cpu0) / 1e6 / steps;
    System.out.printf(
        Locale.ROOT,
        "reference CNN layers fwd+bwd, batch %d, gemm=%s, threads=%d, %d steps; per layer: %s%n",
        batch,
        Gemm.get().name(),
        threads,
        steps,
        threads == 1 ? "thread CPU time" : "wall time");
    for (int i = 0; i < layers.size(); i++) {
      System.out.printf(
          Locale.ROOT,
          "  %-8s fwd %7.3f ms  bwd %7.3f ms%n",
          layers.get(i).name(),
          fwd[i] / 1e6 / steps,
          bwd[i] / 1e6 / steps);
    }
    double ms = total / 1e6 / steps;
    System.out.printf(
        Locale.ROOT,
        "step %.3f ms -> %.0f images/s (layers only, wall clock)%n",
        ms,
        batch * 1000 / ms);
    // On a shared machine wall time includes waiting for a core; CPU time shows the work done.
    System.out.printf(
        Locale.ROOT,
        "process CPU %.3f ms/step -> %.0f images/s per CPU-second%n",
        cpuMs,
        batch * 1000 / cpuMs);
  }

  private static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean s ? s.getProcessCpuTime() : 0L;
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /**
   * Per-layer clock: this thread's CPU time with 1 thread (robust on a busy machine), else wall
   * time.
   */
  private static long now() {
    return Parallel.threads() == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  private static void step(
      List<Layer> layers, Tensor x, Tensor g, ExecContext ctx, long[] fwd, long[] bwd) {
    Tensor a = x;
    for (int i = 0; i < layers.size(); i++) {
      long t = now();
      a = layers.get(i).forward(new Tensor[] {a}, ctx);
      fwd[i] += now() - t;
    }
    Tensor d = g;
    for (int i = layers.size() - 1; i >= 0; i--) {
      long t = now();
      d = layers.get(i).backward(d, ctx)[0];
      bwd[i] += now() - t;
    }
  }
}
