package org.qat4j.quant;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.SoftmaxCrossEntropy;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.core.zoo.Zoo;

/**
 * Training-step time of float vs QAT (live BN statistics and observers, and frozen) on the
 * reference CNN and MobileNetMini, random data, batch 64: forward, cross-entropy, backward, Adam,
 * interleaved rounds with alternating order; prints median ratios and a per-layer breakdown
 * (forward + backward ms summed over the timed steps). Run with {@code -Dtest=QatStepProfile
 * -Dtest.excludedGroups=device -Dqat4j.profile.rounds=9}. Asserts only that steps ran.
 */
@Tag("slow")
class QatStepProfile {
  private static final int BATCH = 64;

  /** Per-node forward+backward time of one model, accumulated. */
  static final class Runner {
    final Model model;
    final Adam adam = new Adam(1e-4);
    final SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    final Map<Node, long[]> time = new LinkedHashMap<>();
    long steps;

    Runner(Model model) {
      this.model = model;
      for (Node n : model.nodes()) time.put(n, new long[2]);
    }

    /** One training step timed per node; returns its wall time in ns. */
    long step(Tensor x, int[] labels, boolean record) {
      long t0 = System.nanoTime();
      ExecContext ctx = ExecContext.training(steps);
      Map<Node, Tensor> acts = new IdentityHashMap<>();
      for (Node n : model.nodes()) {
        Tensor[] ins = new Tensor[n == model.input() ? 1 : n.inputs().size()];
        if (n == model.input()) ins[0] = x;
        else for (int i = 0; i < ins.length; i++) ins[i] = acts.get(n.inputs().get(i));
        long s = System.nanoTime();
        acts.put(n, n.layer().forward(ins, ctx));
        if (record) time.get(n)[0] += System.nanoTime() - s;
      }
      ce.forward(acts.get(model.output()), labels);
      backward(ce.gradient(), ctx, record);
      adam.step(model.params());
      steps++;
      return System.nanoTime() - t0;
    }

    private void backward(Tensor gOut, ExecContext ctx, boolean record) {
      Map<Node, Boolean> need = new IdentityHashMap<>();
      for (Node n : model.nodes()) {
        boolean b = false;
        for (Param p : n.layer().params()) b |= p.trainable();
        for (Node in : n.inputs()) b |= need.get(in);
        need.put(n, b);
      }
      Map<Node, Tensor> grads = new IdentityHashMap<>();
      grads.put(model.output(), gOut);
      List<Node> order = new ArrayList<>(model.nodes());
      for (int i = order.size() - 1; i >= 0; i--) {
        Node n = order.get(i);
        Tensor g = grads.get(n);
        if (g == null || n == model.input()) continue;
        boolean[] needIn = new boolean[n.inputs().size()];
        for (int k = 0; k < needIn.length; k++) needIn[k] = need.get(n.inputs().get(k));
        long s = System.nanoTime();
        Tensor[] gin = n.layer().backward(g, ctx, needIn);
        if (record) time.get(n)[1] += System.nanoTime() - s;
        for (int k = 0; k < needIn.length; k++) {
          if (!needIn[k]) continue;
          Node in = n.inputs().get(k);
          Tensor prev = grads.get(in);
          // As Model.backward: a private accumulator only for fan-out nodes (layer outputs are
          // reused).
          if (prev == null) grads.put(in, model.consumers(in).size() > 1 ? gin[k].copy() : gin[k]);
          else for (int e = 0; e < prev.size(); e++) prev.set(e, prev.get(e) + gin[k].get(e));
        }
      }
    }
  }

  @Test
  void stepRatios() {
    int rounds = Integer.getInteger("qat4j.profile.rounds", 7);
    StringBuilder report = new StringBuilder();
    for (String name : new String[] {"reference-cnn", "mobilenet-mini"}) {
      Model f = name.startsWith("ref") ? Zoo.referenceCnn(1) : MobileNetMini.create(1);
      SplittableRandom r = new SplittableRandom(3);
      Tensor x = Tensor.zeros(Shapes.withBatch(BATCH, f.inputShape()));
      for (int i = 0; i < x.size(); i++) x.set(i, (float) r.nextDouble());
      int[] labels = new int[BATCH];
      for (int i = 0; i < BATCH; i++) labels[i] = r.nextInt(10);
      QatModel live = Quantize.model(f);
      live.calibrate(List.of(x));
      QatModel frozen = Quantize.model(f);
      frozen.calibrate(List.of(x));
      frozen.freezeBatchNorm();
      frozen.freezeObservers();
      Runner[] run = {new Runner(f), new Runner(live.model()), new Runner(frozen.model())};
      for (Runner u : run) for (int i = 0; i < 4; i++) u.step(x, labels, false);
      double[][] t = new double[3][rounds];
      for (int k = 0; k < rounds; k++) {
        for (int j = 0; j < 3; j++) {
          int i = k % 2 == 0 ? j : 2 - j;
          long ns = 0;
          for (int s = 0; s < 4; s++) ns += run[i].step(x, labels, true);
          t[i][k] = ns / 4e6;
        }
      }
      report.append(
          String.format(
              Locale.ROOT,
              "%s: float median %.1f ms | QAT live %.1f ms, ratio median %.3f | QAT frozen %.1f ms, ratio median %.3f%n",
              name,
              median(t[0]),
              median(t[1]),
              medianRatio(t[1], t[0]),
              median(t[2]),
              medianRatio(t[2], t[0])));
      for (Runner u : run) report.append(breakdown(u));
    }
    System.out.print(report);
    assertTrue(report.length() > 0);
  }

  private static String breakdown(Runner u) {
    StringBuilder b = new StringBuilder("  ");
    double tot = 0;
    for (var e : u.time.entrySet()) {
      double ms = (e.getValue()[0] + e.getValue()[1]) / 1e6;
      tot += ms;
      if (ms > 0.5)
        b.append(
            String.format(
                Locale.ROOT,
                "%s %.0f/%.0f ",
                e.getKey().name(),
                e.getValue()[0] / 1e6,
                e.getValue()[1] / 1e6));
    }
    return b.append(String.format(Locale.ROOT, "| total %.0f ms%n", tot)).toString();
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c[c.length / 2];
  }

  private static double medianRatio(double[] a, double[] b) {
    double[] r = new double[a.length];
    for (int i = 0; i < a.length; i++) r[i] = a[i] / b[i];
    return median(r);
  }
}
