package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Param;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Embedding, SpatialDropout1D, LSTM and GRU: gradients through time against central differences,
 * and forward passes against a step-by-step double-precision reference of Keras's equations.
 */
class SequenceLayersTest {
  @Test
  void lstmGradientsThroughTime() {
    Checks.gradients(new LSTM("l", 3), Checks.random(1, 2, 4, 5));
    Checks.gradients(new LSTM("l", 3).returnSequences(true), Checks.random(2, 2, 4, 5));
    Checks.gradients(
        new LSTM("l", 2).returnSequences(true).hardSigmoid(true), Checks.random(3, 2, 3, 4));
  }

  @Test
  void gruGradientsThroughTimeWithBothResetModes() {
    for (boolean after : new boolean[] {true, false}) {
      GRU g =
          Checks.build(
              new GRU("g", 3).resetAfter(after).returnSequences(true), Checks.random(4, 2, 4, 5));
      randomize(g.bias(), 9);
      var r = GradientCheck.check(g, new Tensor[] {Checks.random(4, 2, 4, 5)}, 1e-2, 60, 5);
      assertTrue(r.maxRelError() < Checks.TOL, "reset_after " + after + ": " + r);
      Checks.gradients(
          new GRU("g", 2).resetAfter(after).hardSigmoid(true), Checks.random(5, 2, 3, 4));
    }
  }

  @Test
  void lstmForwardIsKerasLstm() {
    for (boolean hard : new boolean[] {false, true}) {
      Tensor x = Checks.random(6, 2, 5, 3);
      LSTM l = Checks.build(new LSTM("l", 4).returnSequences(true).hardSigmoid(hard), x);
      randomize(l.bias(), 8);
      float[] got = l.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
      assertArrayEquals(referenceLstm(l, x, hard), got, 2e-6f, "hard_sigmoid " + hard);
      LSTM last = Checks.build(new LSTM("l", 4).hardSigmoid(hard), x);
      copyParams(l, last);
      float[] tail = last.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
      for (int j = 0; j < 4; j++) assertEquals(got[4 * 4 + j], tail[j], 0f);
    }
  }

  @Test
  void gruForwardIsKerasGruInBothResetModes() {
    for (boolean after : new boolean[] {true, false}) {
      Tensor x = Checks.random(7, 2, 5, 3);
      GRU g = Checks.build(new GRU("g", 4).resetAfter(after).returnSequences(true), x);
      randomize(g.bias(), 10);
      float[] got = g.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
      assertArrayEquals(referenceGru(g, x), got, 2e-6f, "reset_after " + after);
    }
  }

  @Test
  void recurrentLayersRefuseBadShapes() {
    var e = assertThrows(ShapeException.class, () -> new LSTM("seq", 3).outputShape(new int[] {4}));
    assertTrue(e.getMessage().contains("'seq'"), e.getMessage());
    LSTM l = Checks.build(new LSTM("seq", 3), Checks.random(1, 1, 4, 5));
    var f =
        assertThrows(
            IllegalArgumentException.class,
            () -> l.forward(new Tensor[] {Checks.random(1, 1, 4, 6)}, ExecContext.inference()));
    assertTrue(f.getMessage().contains("'seq'") && f.getMessage().contains("5"), f.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new GRU("g", 0));
  }

  @Test
  void embeddingGathersRowsAndScattersGradients() {
    Tensor idx = Tensor.of(new float[] {2, 0, 2.7f, 4, 1, 1}, 2, 3);
    Embedding e = Checks.build(new Embedding("emb", 5, 3), idx);
    Tensor y = e.forward(new Tensor[] {idx}, ExecContext.inference());
    float[] table = e.embeddings().value().toArray();
    for (int j = 0; j < 3; j++) {
      assertEquals(table[2 * 3 + j], y.get(2 * 3 + j), 0f, "2.7 truncates to row 2");
      assertEquals(table[4 * 3 + j], y.get(3 * 3 + j), 0f);
    }
    var r = GradientCheck.check(e, new Tensor[] {idx}, 1e-2, 60, 5);
    assertTrue(r.maxRelError() < Checks.TOL, r.toString());
    assertNull(e.backward(Checks.random(3, 2, 3, 3), ExecContext.inference())[0]);
    assertEquals(0f, e.embeddings().grad().get(3 * 3), "row 3 is never read");
  }

  @Test
  void embeddingRefusesIndicesOutsideTheTable() {
    Embedding e = Checks.build(new Embedding("emb", 5, 3), Tensor.zeros(1, 3));
    for (float bad : new float[] {5f, -1f, Float.NaN}) {
      Tensor x = Tensor.of(new float[] {1, bad, 0}, 1, 3);
      var ex =
          assertThrows(
              IllegalArgumentException.class,
              () -> e.forward(new Tensor[] {x}, ExecContext.inference()));
      assertTrue(
          ex.getMessage().contains("'emb'") && ex.getMessage().contains("position 1"),
          ex.getMessage());
    }
  }

  @Test
  void spatialDropoutDropsWholeChannels() {
    Tensor x = Checks.random(8, 3, 6, 8);
    SpatialDropout1D d = Checks.build(new SpatialDropout1D("sd", 0.5f), x);
    assertSame(x, d.forward(new Tensor[] {x}, ExecContext.inference()));
    Tensor y = d.forward(new Tensor[] {x}, ExecContext.training(3));
    int dropped = 0;
    for (int i = 0; i < 3; i++)
      for (int c = 0; c < 8; c++) {
        float m = y.at(i, 0, c) / x.at(i, 0, c);
        assertTrue(m == 0f || Math.abs(m - 2f) < 1e-6, "mask " + m);
        for (int s = 1; s < 6; s++) assertEquals(m * x.at(i, s, c), y.at(i, s, c), 1e-6);
        if (m == 0f) dropped++;
      }
    assertTrue(dropped > 0 && dropped < 24, "dropped " + dropped + " of 24 channels");
    Tensor g = Checks.random(9, 3, 6, 8);
    Tensor dx = d.backward(g, ExecContext.training(3))[0];
    for (int k = 0; k < g.size(); k++)
      assertEquals(g.get(k) * y.get(k) / x.get(k), dx.get(k), 1e-5);
  }

  private static void randomize(Param p, long seed) {
    Tensor r = GradientCheck.random(new SplittableRandom(seed), p.value().shape());
    p.value().copyFrom(r);
  }

  private static void copyParams(LSTM from, LSTM to) {
    for (int i = 0; i < 3; i++) to.params().get(i).value().copyFrom(from.params().get(i).value());
  }

  private static double gate(double v, boolean hard) {
    return hard ? Math.max(0, Math.min(1, 0.2 * v + 0.5)) : 1 / (1 + Math.exp(-v));
  }

  /** x·W[:, col] + h·R[:, col] for one unit column. */
  private static double pre(Tensor x, int n, int s, double[] h, LSTM l, int col) {
    return dot(x, n, s, l.kernel(), col) + dotH(h, l.recurrentKernel(), col);
  }

  private static double dot(Tensor x, int n, int s, Param w, int col) {
    int f = x.dim(2), cols = w.value().dim(1);
    double a = 0;
    for (int k = 0; k < f; k++) a += x.at(n, s, k) * w.value().get(k * cols + col);
    return a;
  }

  private static double dotH(double[] h, Param r, int col) {
    int cols = r.value().dim(1);
    double a = 0;
    for (int k = 0; k < h.length; k++) a += h[k] * r.value().get(k * cols + col);
    return a;
  }

  private static float[] referenceLstm(LSTM l, Tensor x, boolean hard) {
    int n = x.dim(0), t = x.dim(1), u = l.units();
    float[] out = new float[n * t * u];
    float[] b = l.bias().value().toArray();
    for (int i = 0; i < n; i++) {
      double[] h = new double[u], c = new double[u];
      for (int s = 0; s < t; s++) {
        double[] hn = new double[u];
        for (int j = 0; j < u; j++) {
          double ig = gate(pre(x, i, s, h, l, j) + b[j], hard);
          double fg = gate(pre(x, i, s, h, l, u + j) + b[u + j], hard);
          double cg = Math.tanh(pre(x, i, s, h, l, 2 * u + j) + b[2 * u + j]);
          double og = gate(pre(x, i, s, h, l, 3 * u + j) + b[3 * u + j], hard);
          c[j] = fg * c[j] + ig * cg;
          hn[j] = og * Math.tanh(c[j]);
          out[(i * t + s) * u + j] = (float) hn[j];
        }
        h = hn;
      }
    }
    return out;
  }

  /** Pre-activation of gate column {@code col} (z: 0, r: U) at step s, both biases included. */
  private static double gatePre(GRU g, Tensor x, int i, int s, double[] h, float[] b, int col) {
    double rec = g.resetsAfter() ? b[3 * g.units() + col] : 0;
    return dot(x, i, s, g.kernel(), col) + b[col] + dotH(h, g.recurrentKernel(), col) + rec;
  }

  /** The recurrent part of the candidate of unit j. */
  private static double inner(GRU g, double[] h, double[] r, float[] b, int j) {
    int u = g.units();
    if (g.resetsAfter())
      return r[j] * (dotH(h, g.recurrentKernel(), 2 * u + j) + b[3 * u + 2 * u + j]);
    double[] rh = new double[u];
    for (int k = 0; k < u; k++) rh[k] = r[k] * h[k];
    return dotH(rh, g.recurrentKernel(), 2 * u + j);
  }

  private static float[] referenceGru(GRU g, Tensor x) {
    int n = x.dim(0), t = x.dim(1), u = g.units();
    float[] out = new float[n * t * u];
    float[] b = g.bias().value().toArray();
    for (int i = 0; i < n; i++) {
      double[] h = new double[u];
      for (int s = 0; s < t; s++) {
        double[] z = new double[u], r = new double[u], hn = new double[u];
        for (int j = 0; j < u; j++) {
          z[j] = gate(gatePre(g, x, i, s, h, b, j), false);
          r[j] = gate(gatePre(g, x, i, s, h, b, u + j), false);
        }
        for (int j = 0; j < u; j++) {
          double pre = dot(x, i, s, g.kernel(), 2 * u + j) + b[2 * u + j] + inner(g, h, r, b, j);
          hn[j] = z[j] * h[j] + (1 - z[j]) * Math.tanh(pre);
          out[(i * t + s) * u + j] = (float) hn[j];
        }
        h = hn;
      }
    }
    return out;
  }
}
