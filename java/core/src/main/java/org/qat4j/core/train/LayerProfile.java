package org.qat4j.core.train;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.layers.BnActPool;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.Parallel;

/**
 * Benchmark helper: per-layer forward and backward wall time of a chain model from the zoo on
 * random batches (training mode). Arguments: model name (reference-cnn), threads (2), batch (64),
 * timed iterations (50), GEMM threads (default: same as threads). Layers with a "kernel" also
 * report the effective GFLOP/s (backward counts dW and dX, twice the forward FLOPs, except for the
 * first layer, whose unused dX is skipped). BN → ReLU/ReLU6 (→ MaxPool2D) chains are timed as one
 * fused step, as {@code Model} runs them in training; {@code -Dqat4j.unfused=true} times the
 * separate layers. {@code -Dqat4j.profile.cpu=true} times with the calling thread's CPU time
 * instead of wall time: with 1 thread (all work, OpenBLAS included, runs on the caller) that is
 * robust to other processes on a shared machine.
 */
public final class LayerProfile {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU = Boolean.getBoolean("qat4j.profile.cpu");

  private LayerProfile() {}

  private static long now() {
    return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  public static void main(String[] args) {
    String name = args.length > 0 ? args[0] : "reference-cnn";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int iters = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    Parallel.setThreads(threads);
    if (args.length > 4) Gemm.get().setThreads(Integer.parseInt(args[4]));
    Model m = Zoo.create(name, 1);
    List<Node> nodes = m.nodes();
    for (Node n : nodes)
      if (n.inputs().size() > 1)
        throw new IllegalArgumentException(
            "LayerProfile needs a chain model; '" + n.name() + "' has several inputs");
    SplittableRandom r = new SplittableRandom(1);
    Tensor x = Tensor.zeros(org.qat4j.core.Shapes.withBatch(batch, m.inputShape()));
    for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextDouble());
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) labels[i] = r.nextInt(m.outputShape()[0]);
    List<Step> steps = steps(nodes, !Boolean.getBoolean("qat4j.unfused"));
    long[][] fwd = new long[steps.size()][iters], bwd = new long[steps.size()][iters];
    long[] optNs = new long[iters], total = new long[iters];
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    Adam opt = new Adam(1e-3);
    int warmup = Math.max(3, iters / 10);
    for (int it = 0; it < warmup + iters; it++) {
      boolean timed = it >= warmup;
      ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(it));
      long s0 = now();
      Tensor cur = x;
      for (int i = 0; i < steps.size(); i++) {
        long t0 = now();
        cur = steps.get(i).forward(cur, ctx);
        if (timed) fwd[i][it - warmup] = now() - t0;
      }
      ce.forward(cur, labels);
      Tensor g = ce.gradient();
      for (int i = steps.size() - 1; i > 0; i--) {
        long t0 = now();
        // As Model.backward: the first layer after the input skips its unused input gradient.
        g = steps.get(i).backward(g, ctx, i > 1);
        if (timed) bwd[i][it - warmup] = now() - t0;
      }
      long t0 = now();
      // As Trainer: the gradients' finiteness check runs in the optimizer's parallel pass.
      if (opt.stepIfFinite(m.params()) != null)
        throw new IllegalStateException("gradient not finite");
      if (timed) {
        optNs[it - warmup] = now() - t0;
        total[it - warmup] = now() - s0;
      }
    }
    print(steps, fwd, bwd, optNs, total, batch, threads);
  }

  /**
   * One timed unit: a node, or a BN → activation (→ pool) chain run fused as Model does in
   * training.
   */
  private record Step(String name, Node node, BnActPool fused) {
    Tensor forward(Tensor x, ExecContext ctx) {
      return fused != null ? fused.forward(x, ctx) : node.layer().forward(new Tensor[] {x}, ctx);
    }

    Tensor backward(Tensor g, ExecContext ctx, boolean needInput) {
      return fused != null
          ? fused.backward(g, needInput)
          : node.layer().backward(g, ctx, new boolean[] {needInput})[0];
    }
  }

  private static List<Step> steps(List<Node> nodes, boolean fuse) {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      BnActPool f =
          !fuse || i + 1 >= nodes.size()
              ? null
              : BnActPool.match(
                  nodes.get(i).layer(),
                  nodes.get(i + 1).layer(),
                  i + 2 < nodes.size() ? nodes.get(i + 2).layer() : null);
      if (f == null) {
        steps.add(new Step(nodes.get(i).name(), nodes.get(i), null));
        continue;
      }
      StringBuilder name = new StringBuilder(nodes.get(i).name());
      for (int k = 1; k < f.span(); k++) name.append('+').append(nodes.get(i + k).name());
      steps.add(new Step(name.toString(), nodes.get(i), f));
      i += f.span() - 1;
    }
    return steps;
  }

  /**
   * Multiply-add FLOPs of one forward pass of a layer with a "kernel" param:
   * 2·N·outPositions·kernelSize.
   */
  private static double forwardFlops(Node n, int batch) {
    for (var p : n.layer().params()) {
      if (!p.name().equals("kernel")) continue;
      int[] s = n.shape();
      long positions = 1;
      for (int i = 0; i < s.length - 1; i++) positions *= s[i];
      return 2.0 * batch * positions * p.value().size();
    }
    return 0;
  }

  /** Median of the timed iterations in ms (robust to other processes on a shared machine). */
  private static double median(long[] ns) {
    long[] s = ns.clone();
    java.util.Arrays.sort(s);
    return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0)
        / 1e6;
  }

  private static void print(
      List<Step> steps,
      long[][] fwd,
      long[][] bwd,
      long[] optNs,
      long[] total,
      int batch,
      int threads) {
    System.out.printf(
        Locale.ROOT,
        "gemm=%s threads=%d batch=%d iterations=%d (medians of %s time)%n",
        Gemm.get().name(),
        threads,
        batch,
        total.length,
        CPU ? "thread CPU" : "wall");
    System.out.println("layer            forward_ms  backward_ms  share  fwd_GFLOP/s  bwd_GFLOP/s");
    double sum = 0, gemm = 0;
    double[] f = new double[steps.size()], b = new double[steps.size()];
    for (int i = 0; i < steps.size(); i++) {
      f[i] = median(fwd[i]);
      b[i] = i == 0 ? 0 : median(bwd[i]);
      sum += f[i] + b[i];
    }
    double opt = median(optNs);
    sum += opt;
    for (int i = 0; i < steps.size(); i++) {
      double flops = steps.get(i).fused() != null ? 0 : forwardFlops(steps.get(i).node(), batch);
      if (flops > 0) gemm += f[i] + b[i];
      String rates =
          flops == 0
              ? ""
              : String.format(
                  Locale.ROOT,
                  "  %11.1f  %11.1f",
                  flops / f[i] / 1e6,
                  (i > 1 ? 2 : 1) * flops / b[i] / 1e6);
      System.out.printf(
          Locale.ROOT,
          "%-16s %10.3f %12.3f %5.1f%%%s%n",
          steps.get(i).name(),
          f[i],
          b[i],
          100.0 * (f[i] + b[i]) / sum,
          rates);
    }
    System.out.printf(
        Locale.ROOT, "%-16s %10.3f %12s %5.1f%%%n", "adam", opt, "", 100.0 * opt / sum);
    double stepMs = median(total);
    System.out.printf(
        Locale.ROOT,
        "step %.3f ms → %.0f images/s; non-GEMM share %.1f%% (all but conv/dense layers; of the summed medians)%n",
        stepMs,
        batch * 1000 / stepMs,
        100.0 * (sum - gemm) / sum);
  }
}
