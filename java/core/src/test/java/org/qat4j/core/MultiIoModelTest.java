package org.qat4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.MultiTaskTrainer;

/** Graphs with two inputs and two outputs: forward, finite-difference backward, training, I/O. */
class MultiIoModelTest {
  /**
   * a[4], b[4] → h = relu(Dense(a) + Dense(b)) → out1 = Dense(h)[3], out2 = Dense(concat(h, b))[2].
   */
  static Model twoByTwo(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node a = g.input("a", 4);
    Node b = g.input("b", 4);
    Node ha = g.add(new Dense("da", 5), a);
    Node hb = g.add(new Dense("db", 5), b);
    Node h = g.add(new ReLU("relu"), g.add(new Add("add"), ha, hb));
    Node o1 = g.add(new Dense("out1", 3), h);
    Node o2 = g.add(new Dense("out2", 2), g.add(new Concatenate("cat"), h, b));
    return g.build(o1, o2);
  }

  @Test
  void backwardMatchesFiniteDifferencesForEveryInputAndParameter() {
    Model m = twoByTwo(3);
    SplittableRandom rng = new SplittableRandom(9);
    Tensor[] x = {GradientCheck.random(rng, 2, 4), GradientCheck.random(rng, 2, 4)};
    Tensor[] r = {GradientCheck.random(rng, 2, 3), GradientCheck.random(rng, 2, 2)};
    ExecContext ctx = ExecContext.inference();
    m.forward(x, ctx);
    Tensor[] dx = m.backward(new Tensor[] {r[0].copy(), r[1].copy()}, ctx, true);
    double eps = 1e-2;
    for (int k = 0; k < 2; k++) {
      for (int i = 0; i < x[k].size(); i++) {
        double num = numeric(m, x, r, x[k], i, eps);
        assertEquals(num, dx[k].get(i), 2e-3 + 1e-2 * Math.abs(num), "input " + k + "[" + i + "]");
      }
    }
    m.forward(x, ctx);
    m.backward(r, ctx, false);
    for (var e : m.params().entrySet()) {
      Tensor g = e.getValue().grad().copy();
      for (int i = 0; i < g.size(); i++) {
        double num = numeric(m, x, r, e.getValue().value(), i, eps);
        assertEquals(num, g.get(i), 2e-3 + 1e-2 * Math.abs(num), e.getKey() + "[" + i + "]");
      }
    }
  }

  private static double numeric(Model m, Tensor[] x, Tensor[] r, Tensor v, int i, double eps) {
    float orig = v.get(i);
    v.set(i, (float) (orig + eps));
    double lp = loss(m.forward(x, ExecContext.inference()), r);
    v.set(i, (float) (orig - eps));
    double lm = loss(m.forward(x, ExecContext.inference()), r);
    v.set(i, orig);
    return (lp - lm) / (2 * eps);
  }

  private static double loss(Tensor[] y, Tensor[] r) {
    double s = 0;
    for (int k = 0; k < y.length; k++)
      for (int i = 0; i < y[k].size(); i++) s += (double) y[k].get(i) * r[k].get(i);
    return s;
  }

  @Test
  void aNullGradientLeavesThatHeadUntouchedAndCallerGradientsAreNotModified() {
    Model m = twoByTwo(4);
    SplittableRandom rng = new SplittableRandom(1);
    Tensor[] x = {GradientCheck.random(rng, 3, 4), GradientCheck.random(rng, 3, 4)};
    float[][] before = {
      m.layer("out2").params().get(0).value().toArray(),
      m.layer("out1").params().get(0).value().toArray()
    };
    MultiTaskTrainer t = new MultiTaskTrainer(m, new Adam(1e-2), 1.0, 0.0);
    float[][] xs = {x[0].toArray(), x[1].toArray()};
    int[][] y = {{0, 1, 2}, {0, 1, 0}};
    t.fit(xs, y, 3, 2, 5);
    assertArrayEquals(before[0], m.layer("out2").params().get(0).value().toArray(), 0f);
    assertTrue(!Arrays.equals(before[1], m.layer("out1").params().get(0).value().toArray()));
    Tensor g = GradientCheck.random(rng, 3, 3);
    float[] copy = g.toArray();
    m.forward(x, ExecContext.inference());
    m.backward(new Tensor[] {g, null}, ExecContext.inference(), true);
    assertArrayEquals(copy, g.toArray(), 0f);
  }

  @Test
  void weightedTrainingLearnsBothHeads() {
    Model m = twoByTwo(7);
    SplittableRandom rng = new SplittableRandom(2);
    int n = 256;
    float[][] xs = {new float[n * 4], new float[n * 4]};
    int[][] y = {new int[n], new int[n]};
    for (int s = 0; s < n; s++) {
      for (int k = 0; k < 4; k++) {
        xs[0][s * 4 + k] = (float) (rng.nextDouble() * 2 - 1);
        xs[1][s * 4 + k] = (float) (rng.nextDouble() * 2 - 1);
      }
      // Head 1 needs input a, head 2 needs input b: each output depends on its own input.
      y[0][s] = xs[0][s * 4] > 0.3 ? 2 : xs[0][s * 4] > -0.3 ? 1 : 0;
      y[1][s] = xs[1][s * 4 + 1] > 0 ? 1 : 0;
    }
    MultiTaskTrainer t = new MultiTaskTrainer(m, new Adam(2e-2), 1.0, 0.5);
    List<Double> curve = t.fit(xs, y, 30, 32, 1);
    assertTrue(curve.get(curve.size() - 1) < curve.get(0) / 2, "loss " + curve);
    double[] acc = t.accuracy(xs, y, 64);
    assertTrue(acc[0] > 0.85 && acc[1] > 0.9, Arrays.toString(acc));
  }

  @Test
  void savedAndLoadedKeepsInputsOutputsAndPredictions(@TempDir Path dir) throws Exception {
    Model m = twoByTwo(5);
    Path f = dir.resolve("m.zip");
    ModelIO.save(m, f);
    Model r = ModelIO.load(f);
    assertEquals(List.of("a", "b"), r.inputs().stream().map(Node::name).toList());
    assertEquals(List.of("out1", "out2"), r.outputs().stream().map(Node::name).toList());
    SplittableRandom rng = new SplittableRandom(3);
    Tensor[] x = {GradientCheck.random(rng, 2, 4), GradientCheck.random(rng, 2, 4)};
    Tensor[] p = m.forward(x, ExecContext.inference());
    float[][] want = {p[0].toArray(), p[1].toArray()};
    Tensor[] q = r.forward(x, ExecContext.inference());
    assertArrayEquals(want[0], q[0].toArray(), 0f);
    assertArrayEquals(want[1], q[1].toArray(), 0f);
    assertTrue(Files.size(f) > 0);
  }

  @Test
  void singleTensorMethodsAndBadCallsNameTheProblem() {
    Model m = twoByTwo(6);
    var e = assertThrows(IllegalStateException.class, m::inputShape);
    assertTrue(e.getMessage().contains("2 inputs [a, b]"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> m.predict(Tensor.zeros(1, 4)));
    var w =
        assertThrows(
            IllegalArgumentException.class,
            () -> m.forward(new Tensor[] {Tensor.zeros(1, 4)}, ExecContext.inference()));
    assertTrue(w.getMessage().contains("2 inputs"), w.getMessage());
    var b =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                m.forward(
                    new Tensor[] {Tensor.zeros(1, 4), Tensor.zeros(2, 4)},
                    ExecContext.inference()));
    assertTrue(b.getMessage().contains("batch sizes"), b.getMessage());
    GraphBuilder g = new GraphBuilder(1);
    Node a = g.input("a", 2);
    g.input("unused", 2);
    Node d = g.add(new Dense("d", 2), a);
    var u = assertThrows(IllegalArgumentException.class, () -> g.build(d));
    assertTrue(u.getMessage().contains("'unused'"), u.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new MultiTaskTrainer(m, new Adam(1e-3), 1.0, Double.NaN));
  }
}
