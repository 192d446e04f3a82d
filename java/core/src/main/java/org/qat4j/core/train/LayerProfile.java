package org.qat4j.core.train;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.internal.Parallel;
import org.qat4j.core.zoo.Zoo;

/**
 * Benchmark helper: per-layer forward and backward wall time of a chain model from the zoo on
 * random batches (training mode). Arguments: model name (reference-cnn), threads (2), batch (64),
 * timed iterations (50), GEMM threads (default: same as threads). Layers with a "kernel" also
 * report the effective GFLOP/s (backward counts dW and dX, twice the forward FLOPs, except for the
 * first layer, whose unused dX is skipped).
 */
public final class LayerProfile {
  private LayerProfile() {}

  public static void main(String[] args) {
    String name = args.length > 0 ? args[0] : "reference-cnn";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int iters = args.length > 3 ? Integer.parseInt(args[3]) : 50;
    Parallel.setThreads(threads);
    if (args.length > 4) Gemm.get().setThreads(Integer.parseInt(args[4]));
    Model m = Zoo.create(name, 1);
    List<Node> nodes = m.nodes();
    for (Node n : nodes) if (n.inputs().size() > 1) throw new IllegalArgumentException("LayerProfile needs a chain model; '" + n.name() + "' has several inputs");
    SplittableRandom r = new SplittableRandom(1);
    Tensor x = Tensor.zeros(org.qat4j.core.Shapes.withBatch(batch, m.inputShape()));
    for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextDouble());
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) labels[i] = r.nextInt(m.outputShape()[0]);
    long[] fwd = new long[nodes.size()], bwd = new long[nodes.size()];
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    Adam opt = new Adam(1e-3);
    long optNs = 0, total = 0;
    int warmup = Math.max(3, iters / 10);
    for (int it = 0; it < warmup + iters; it++) {
      boolean timed = it >= warmup;
      ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(it));
      long s0 = System.nanoTime();
      Tensor cur = x;
      for (int i = 0; i < nodes.size(); i++) {
        long t0 = System.nanoTime();
        cur = nodes.get(i).layer().forward(new Tensor[] {cur}, ctx);
        if (timed) fwd[i] += System.nanoTime() - t0;
      }
      ce.forward(cur, labels);
      Tensor g = ce.gradient();
      for (int i = nodes.size() - 1; i > 0; i--) {
        long t0 = System.nanoTime();
        // As Model.backward: the first layer after the input skips its unused input gradient.
        g = nodes.get(i).layer().backward(g, ctx, new boolean[] {i > 1})[0];
        if (timed) bwd[i] += System.nanoTime() - t0;
      }
      long t0 = System.nanoTime();
      opt.step(m.params());
      if (timed) { optNs += System.nanoTime() - t0; total += System.nanoTime() - s0; }
    }
    print(nodes, fwd, bwd, optNs, total, iters, batch, threads);
  }

  /** Multiply-add FLOPs of one forward pass of a layer with a "kernel" param: 2·N·outPositions·kernelSize. */
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

  private static void print(List<Node> nodes, long[] fwd, long[] bwd, long optNs, long total, int iters, int batch, int threads) {
    System.out.printf(Locale.ROOT, "gemm=%s threads=%d batch=%d iterations=%d%n", Gemm.get().name(), threads, batch, iters);
    System.out.println("layer            forward_ms  backward_ms  share  fwd_GFLOP/s  bwd_GFLOP/s");
    for (int i = 0; i < nodes.size(); i++) {
      double f = fwd[i] / 1e6 / iters, b = bwd[i] / 1e6 / iters;
      double flops = forwardFlops(nodes.get(i), batch);
      String rates = flops == 0 ? "" : String.format(Locale.ROOT, "  %11.1f  %11.1f", flops / f / 1e6, (i > 1 ? 2 : 1) * flops / b / 1e6);
      System.out.printf(Locale.ROOT, "%-16s %10.3f %12.3f %5.1f%%%s%n", nodes.get(i).name(), f, b, 100.0 * (fwd[i] + bwd[i]) / total, rates);
    }
    System.out.printf(Locale.ROOT, "%-16s %10.3f %12s %5.1f%%%n", "adam", optNs / 1e6 / iters, "", 100.0 * optNs / total);
    double stepMs = total / 1e6 / iters;
    System.out.printf(Locale.ROOT, "step %.3f ms → %.0f images/s%n", stepMs, batch * 1000 / stepMs);
  }
}
