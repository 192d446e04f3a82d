package org.qat4j.core.train;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Shapes;
import org.qat4j.core.StepListener;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.Parallel;

/**
 * Benchmark helper: per-step forward and backward time of a zoo model's training step on random
 * batches, in the order {@code Model} executes the graph (chains and graphs with Add, Concatenate
 * or branches alike). Arguments: model name (reference-cnn), threads (2), batch (64), timed
 * iterations (50), GEMM threads (default: same as threads). A step is a node, or a BN → ReLU/ReLU6
 * (→ MaxPool2D) chain that {@code Model} runs fused in training ({@code -Dqat4j.unfused=true} times
 * the separate layers). A step's backward includes adding its input gradients into the sums of
 * nodes with several consumers. A fused chain that starts with a conv ({@code ConvBnPool}) counts
 * as non-GEMM in the share, and the step line adds the share with it counted as conv. Layers with a
 * "kernel" also report the effective GFLOP/s (backward counts dW and dX, twice the forward FLOPs,
 * except for a layer reading only the model input, whose unused dX is skipped). {@code
 * -Dqat4j.profile.cpu=true} times with the calling thread's CPU time instead of wall time: with 1
 * thread (all work, OpenBLAS included, runs on the caller) that is robust to other processes on a
 * shared machine. {@code -Dqat4j.profile.warmup=N} (default {@value #WARMUP}) untimed steps come
 * first: the JIT compiles the Vector API kernels for 100 or more steps, and on 2 cores its compiler
 * threads take time from the workers meanwhile.
 */
public final class LayerProfile {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final boolean CPU = Boolean.getBoolean("qat4j.profile.cpu");

  /** Untimed steps before the timed ones when run from the command line. */
  static final int WARMUP = 100;

  private final Model model;
  private final int warmup;
  private final int iters;
  private final boolean fuse;
  private final Map<Node, Integer> index = new IdentityHashMap<>();
  private final List<Step> steps = new ArrayList<>();
  private int iter = -1;
  private long last;

  /** One timed unit in execution order: its first node, its name, its medians' raw samples. */
  private record Step(Node first, boolean fused, String name, long[] fwd, long[] bwd) {}

  private LayerProfile(Model model, int warmup, int iters, boolean fuse) {
    this.model = model;
    this.warmup = warmup;
    this.iters = iters;
    this.fuse = fuse;
  }

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
    int warmup = Integer.getInteger("qat4j.profile.warmup", WARMUP);
    run(m, batch, warmup, iters, !Boolean.getBoolean("qat4j.unfused"), System.out);
  }

  /**
   * Profiles {@code iters} training steps of {@code m} (one input, one output of class logits) on a
   * random batch after {@code warmup} untimed ones, and prints the table to {@code out}.
   */
  public static void run(Model m, int batch, int warmup, int iters, boolean fuse, PrintStream out) {
    if (iters < 1) throw new IllegalArgumentException("iterations must be ≥ 1, got " + iters);
    if (warmup < 0) throw new IllegalArgumentException("warm-up must be ≥ 0, got " + warmup);
    LayerProfile p = new LayerProfile(m, warmup, iters, fuse);
    StepListener listener =
        new StepListener() {
          @Override
          public void stepDone(Node first, Node last, boolean backward) {
            p.record(first, last, backward);
          }

          @Override
          public boolean fuse() {
            return fuse;
          }
        };
    m.listen(listener);
    try {
      p.loop(batch, out);
    } finally {
      m.listen(null);
    }
  }

  private void record(Node first, Node lastNode, boolean backward) {
    long t = now();
    Integer s = index.get(first);
    if (s == null) {
      if (backward) throw new IllegalStateException("backward step before its forward: " + first);
      s = steps.size();
      index.put(first, s);
      steps.add(
          new Step(
              first, first != lastNode, name(first, lastNode), new long[iters], new long[iters]));
    }
    if (iter >= 0) (backward ? steps.get(s).bwd() : steps.get(s).fwd())[iter] = t - last;
    last = t;
  }

  private String name(Node first, Node lastNode) {
    List<Node> order = model.nodes();
    StringBuilder sb = new StringBuilder(first.name());
    for (int k = order.indexOf(first) + 1; k <= order.indexOf(lastNode); k++)
      sb.append('+').append(order.get(k).name());
    return sb.toString();
  }

  private void loop(int batch, PrintStream out) {
    SplittableRandom r = new SplittableRandom(1);
    Tensor x = Tensor.zeros(Shapes.withBatch(batch, model.inputShape()));
    for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextDouble());
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) labels[i] = r.nextInt(model.outputShape()[0]);
    long[] optNs = new long[iters], total = new long[iters];
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    Adam opt = new Adam(1e-3);
    for (int it = 0; it < warmup + iters; it++) {
      iter = it - warmup;
      ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(it));
      long s0 = now();
      last = s0;
      ce.forward(model.forward(x, ctx), labels);
      Tensor g = ce.gradient();
      last = now();
      model.backward(g, ctx);
      long t0 = now();
      // As Trainer: the gradients' finiteness check runs in the optimizer's parallel pass.
      if (opt.stepIfFinite(model.params()) != null)
        throw new IllegalStateException("gradient not finite");
      if (iter >= 0) {
        optNs[iter] = now() - t0;
        total[iter] = now() - s0;
      }
    }
    print(out, median(optNs), median(total), batch);
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

  /** Backward FLOPs over forward FLOPs: 1 when only dW is computed (the input feeds the layer). */
  private int backwardFactor(Node n) {
    for (Node in : n.inputs()) if (!model.inputs().contains(in)) return 2;
    return 1;
  }

  /** Median of the timed iterations in ms (robust to other processes on a shared machine). */
  private static double median(long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    return (s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0)
        / 1e6;
  }

  /** Prints the header lines; returns the width of the name column. */
  private int header(PrintStream out, int batch) {
    out.printf(
        Locale.ROOT,
        "gemm=%s threads=%d batch=%d warm-up=%d iterations=%d (medians of %s time)%n",
        Gemm.get().name(),
        Parallel.threads(),
        batch,
        warmup,
        iters,
        CPU ? "thread CPU" : "wall");
    int width = 16;
    for (Step s : steps) width = Math.max(width, s.name().length());
    out.printf(
        Locale.ROOT,
        "%-" + width + "s forward_ms  backward_ms  share  fwd_GFLOP/s  bwd_GFLOP/s%n",
        "layer");
    return width;
  }

  private void print(PrintStream out, double opt, double stepMs, int batch) {
    int width = header(out, batch);
    String row = "%-" + width + "s %10.3f %12.3f %5.1f%%%s%n";
    double[] f = new double[steps.size()], b = new double[steps.size()];
    double sum = opt, gemm = 0, convChains = 0;
    for (int i = 0; i < steps.size(); i++) {
      f[i] = median(steps.get(i).fwd());
      b[i] = model.inputs().contains(steps.get(i).first()) ? 0 : median(steps.get(i).bwd());
      sum += f[i] + b[i];
    }
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      double flops = s.fused() ? 0 : forwardFlops(s.first(), batch);
      if (flops > 0) gemm += f[i] + b[i];
      if (s.fused() && forwardFlops(s.first(), batch) > 0) convChains += f[i] + b[i];
      String rates =
          flops == 0
              ? ""
              : String.format(
                  Locale.ROOT,
                  "  %11.1f  %11.1f",
                  flops / f[i] / 1e6,
                  backwardFactor(s.first()) * flops / b[i] / 1e6);
      out.printf(Locale.ROOT, row, s.name(), f[i], b[i], 100.0 * (f[i] + b[i]) / sum, rates);
    }
    out.printf(
        Locale.ROOT, "%-" + width + "s %10.3f %12s %5.1f%%%n", "adam", opt, "", 100.0 * opt / sum);
    out.printf(
        Locale.ROOT,
        "step %.3f ms → %.0f images/s; non-GEMM share %.1f%% (all but conv/dense layers; of the summed medians)%s%n",
        stepMs,
        batch * 1000 / stepMs,
        100.0 * (sum - gemm) / sum,
        convShare(sum, gemm, convChains));
  }

  /** The share counted the second way, when a fused chain starts with a conv; else empty. */
  private static String convShare(double sum, double gemm, double convChains) {
    if (convChains == 0) return "";
    return String.format(
        Locale.ROOT,
        "; %.1f%% with fused chains that start with a conv counted as conv",
        100.0 * (sum - gemm - convChains) / sum);
  }
}
