package org.qat4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.LayerProfile;
import org.qat4j.core.train.SoftmaxCrossEntropy;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;

/**
 * The QAT training step against the float step of the same model: one float model and its {@link
 * Quantize#model} twin each take a training step (forward, softmax cross-entropy, backward, Adam)
 * on the same random NHWC [batch, 28, 28, 1] batch, alternating in blocks so that both see the same
 * machine load; prints the median wall and calling-thread CPU ms per step and their ratio. Usage:
 * {@code QatStepOverhead [--model=reference-cnn|mobilenet-mini] [--threads=2] [--batch=64]
 * [--rounds=20] [--block=5] [--warmup=100] [--layers=true [--iterations=300]] [--only=float|qat]};
 * --warmup untimed steps per model come first, so that the timed steps are the JIT's steady state
 * (the QAT model's vector kernels reach C2 only after some 20-40 steps, and on 2 cores the compiler
 * threads take the measured threads' CPU until then); with --layers it prints, after the same
 * warm-up, {@link LayerProfile}'s per-step table of the QAT model instead; with --only it builds
 * and times that one model alone in this JVM (rounds × block steps after the same warm-up), so that
 * a shell loop can alternate two processes: neither model's JIT profile, caches or heap then sees
 * the other's, as for a user who fine-tunes a loaded float model.
 */
public final class QatStepOverhead {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private QatStepOverhead() {}

  public static void main(String[] args) {
    Args a = new Args(args);
    String name = a.get("model", "reference-cnn");
    int threads = a.integer("threads", 2), batch = a.integer("batch", 64);
    int rounds = a.integer("rounds", 20), block = a.integer("block", 5);
    int warmup = a.integer("warmup", 100);
    if (warmup < 0) throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
    Parallel.setThreads(threads);
    String only = a.get("only", "");
    if (!only.isEmpty()) {
      alone(name, only, batch, rounds * block, warmup);
      return;
    }
    Model floatModel = RandomBatch.model(name);
    QatModel qat = Quantize.model(RandomBatch.model(name));
    if (Boolean.parseBoolean(a.get("layers", "false"))) {
      // Per-step profile of the QAT model (LayerProfile's table; -Dqat4j.profile.cpu=true for CPU).
      LayerProfile.run(qat.model(), batch, warmup, a.integer("iterations", 300), true, System.out);
      return;
    }
    Step f = new Step(floatModel, batch), q = new Step(qat.model(), batch);
    for (int i = 0; i < warmup; i++) {
      f.run();
      q.run();
    }
    double[][] fs = new double[2][rounds * block], qs = new double[2][rounds * block];
    for (int r = 0; r < rounds; r++)
      for (int i = 0; i < block; i++) {
        f.timed(fs, r * block + i);
        q.timed(qs, r * block + i);
      }
    double fw = median(fs[0]), fc = median(fs[1]), qw = median(qs[0]), qc = median(qs[1]);
    System.out.printf(
        "model=%s threads=%d batch=%d steps=%d warmup=%d load=%s%n",
        name, threads, batch, rounds * block, warmup, ZooFigures.loadAverage());
    System.out.printf("float step: wall %.3f ms, thread CPU %.3f ms%n", fw, fc);
    System.out.printf("QAT step:   wall %.3f ms, thread CPU %.3f ms%n", qw, qc);
    System.out.printf("QAT / float: wall %.2fx, thread CPU %.2fx%n", qw / fw, qc / fc);
  }

  /** Times {@code steps} steps of the float or the QAT model alone, after {@code warm} steps. */
  private static void alone(String name, String which, int batch, int steps, int warm) {
    if (!which.equals("float") && !which.equals("qat"))
      throw new IllegalArgumentException("--only must be float or qat, got " + which);
    Model m = RandomBatch.model(name);
    Step s = new Step(which.equals("qat") ? Quantize.model(m).model() : m, batch);
    for (int i = 0; i < warm; i++) s.run();
    double[][] t = new double[2][steps];
    for (int i = 0; i < steps; i++) s.timed(t, i);
    System.out.printf(
        "model=%s threads=%d batch=%d steps=%d load=%s%n",
        name, Parallel.threads(), batch, steps, ZooFigures.loadAverage());
    System.out.printf(
        "%s step alone: wall %.3f ms, thread CPU %.3f ms%n", which, median(t[0]), median(t[1]));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** One model's training step on a fixed random batch. */
  private static final class Step {
    private final Model m;
    private final Adam adam = new Adam(1e-4);
    private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
    private final Tensor x;
    private final int[] labels;
    private long step;

    Step(Model m, int batch) {
      this.m = m;
      RandomBatch b = RandomBatch.of(batch, 5);
      x = b.x();
      labels = b.labels();
    }

    void run() {
      ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(step++));
      loss.forward(m.forward(x, ctx), labels);
      m.backward(loss.gradient(), ctx);
      adam.step(m.params());
    }

    /**
     * Runs a step and stores its wall and thread-CPU ms at {@code out[0][i]}, {@code out[1][i]}.
     */
    void timed(double[][] out, int i) {
      long w = System.nanoTime(), c = CPU.getCurrentThreadCpuTime();
      run();
      out[1][i] = (CPU.getCurrentThreadCpuTime() - c) / 1e6;
      out[0][i] = (System.nanoTime() - w) / 1e6;
    }
  }
}
