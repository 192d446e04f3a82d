package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

class BatchNormalizationTest {
  private static BatchNormalization withStats(Tensor x) {
    BatchNormalization bn = Checks.build(new BatchNormalization("bn"), x);
    int c = x.dim(-1);
    for (int i = 0; i < c; i++) {
      bn.gamma().value().set(i, 0.5f + 0.3f * i);
      bn.beta().value().set(i, -0.1f * i);
      bn.movingMean().value().set(i, 0.2f * i - 0.1f);
      bn.movingVariance().value().set(i, 0.5f + 0.25f * i);
    }
    return bn;
  }

  /** Gradient check (training passes; inference mode is covered by its equivalence with frozen). */
  private static void check(BatchNormalization bn, Tensor x) {
    var res = GradientCheck.check(bn, new Tensor[] {x}, 1e-2, 60, 5);
    assertTrue(res.maxRelError() < Checks.TOL, res.toString());
  }

  @Test
  void trainingGradientsOnImagesAndVectors() {
    Tensor x = Checks.random(1, 3, 4, 5, 3);
    check(withStats(x), x);
    Tensor v = Checks.random(2, 6, 4);
    check(withStats(v), v);
  }

  @Test
  void frozenGradientsUseMovingStatistics() {
    Tensor x = Checks.random(1, 3, 4, 5, 3);
    BatchNormalization bn = withStats(x).freeze(true);
    check(bn, x);
    float[] mm = bn.movingMean().value().toArray();
    bn.forward(new Tensor[] {x}, ExecContext.training(1));
    assertArrayEquals(
        mm, bn.movingMean().value().toArray(), "frozen BN must not update moving stats");
  }

  @Test
  void inferenceAndFrozenTrainingGiveTheSameOutputAndGradients() {
    Tensor x = Checks.random(3, 2, 3, 3, 2);
    BatchNormalization a = withStats(x);
    BatchNormalization b = withStats(x).freeze(true);
    float[] ya = a.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
    float[] yb = b.forward(new Tensor[] {x}, ExecContext.training(1)).toArray();
    assertArrayEquals(ya, yb, 0f);
    Tensor g = Checks.random(4, x.shape());
    float[] da = a.backward(g, ExecContext.inference())[0].toArray();
    float[] db = b.backward(g, ExecContext.training(1))[0].toArray();
    assertArrayEquals(da, db, 0f);
    // Inference: y = gamma (x - mm) / sqrt(mv + eps) + beta, checked on one element.
    int c = 1;
    float want =
        (float)
            (a.gamma().value().get(c)
                    * (x.get(c) - a.movingMean().value().get(c))
                    / Math.sqrt(a.movingVariance().value().get(c) + 1e-3)
                + a.beta().value().get(c));
    assertEquals(want, ya[c], 1e-5);
    // And dx = g gamma / sqrt(mv + eps).
    assertEquals(
        g.get(c) * a.gamma().value().get(c) / Math.sqrt(a.movingVariance().value().get(c) + 1e-3),
        da[c],
        1e-5);
  }

  @Test
  void trainingNormalizesWithBatchStatsAndUpdatesMovingStats() {
    Tensor x = Tensor.of(new float[] {1, 10, 3, 20, 5, 30, 7, 40}, 4, 2);
    BatchNormalization bn = Checks.build(new BatchNormalization("bn").momentum(0.9f), x);
    float[] y = bn.forward(new Tensor[] {x}, ExecContext.training(1)).toArray();
    // channel 0: mean 4, biased var 5
    double inv = 1 / Math.sqrt(5 + 1e-3);
    assertEquals((1 - 4) * inv, y[0], 1e-5);
    assertEquals((7 - 4) * inv, y[6], 1e-5);
    assertEquals(0.1f * 4, bn.movingMean().value().get(0), 1e-6);
    assertEquals(0.9f * 1 + 0.1f * 5, bn.movingVariance().value().get(0), 1e-6);
    assertEquals(0.9f * 1 + 0.1f * 125, bn.movingVariance().value().get(1), 1e-4);
    float[] mm = bn.movingMean().value().toArray();
    bn.forward(new Tensor[] {x}, ExecContext.inference());
    assertArrayEquals(
        mm, bn.movingMean().value().toArray(), "inference must not update moving stats");
  }

  @Test
  void paramsAndDefaults() {
    BatchNormalization bn =
        Checks.build(new BatchNormalization("bn"), Checks.random(1, 2, 3, 3, 4));
    assertEquals(0.99f, bn.momentum());
    assertEquals(1e-3f, bn.epsilon());
    assertFalse(bn.frozen());
    var names = bn.params().stream().map(Param::name).toList();
    assertEquals(java.util.List.of("gamma", "beta", "moving_mean", "moving_variance"), names);
    assertTrue(bn.gamma().trainable() && bn.beta().trainable());
    assertFalse(bn.movingMean().trainable() || bn.movingVariance().trainable());
    assertEquals(1f, bn.gamma().value().get(3));
    assertEquals(1f, bn.movingVariance().value().get(0));
  }

  @Test
  void badInputsNameTheLayer() {
    assertThrows(IllegalArgumentException.class, () -> new BatchNormalization("bn").momentum(1.5f));
    assertThrows(IllegalArgumentException.class, () -> new BatchNormalization("bn").epsilon(0f));
    BatchNormalization bn = Checks.build(new BatchNormalization("bn7"), Checks.random(1, 2, 4));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> bn.forward(new Tensor[] {Checks.random(1, 2, 5)}, ExecContext.inference()));
    assertTrue(e.getMessage().contains("bn7"), e.getMessage());
  }
}
