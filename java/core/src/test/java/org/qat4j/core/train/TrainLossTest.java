package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.qat4j.core.Tensor;

class TrainLossTest {
  @ParameterizedTest
  @ValueSource(doubles = {0, 0.1, 0.5})
  void gradientMatchesFiniteDifferences(double smoothing) {
    SplittableRandom r = new SplittableRandom(3);
    int n = 4, c = 5;
    float[] v = new float[n * c];
    for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 6 - 3);
    int[] labels = {0, 3, 4, 1};
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(smoothing);
    Tensor logits = Tensor.of(v, n, c);
    ce.forward(logits, labels);
    float[] g = ce.gradient().toArray();
    double eps = 1e-2;
    for (int i = 0; i < v.length; i++) {
      float o = logits.get(i);
      logits.set(i, (float) (o + eps));
      double lp = new SoftmaxCrossEntropy(smoothing).forward(logits, labels);
      logits.set(i, (float) (o - eps));
      double lm = new SoftmaxCrossEntropy(smoothing).forward(logits, labels);
      logits.set(i, o);
      assertEquals((lp - lm) / (2 * eps), g[i], 2e-4, "dL/dlogit " + i);
    }
  }

  @Test
  void lossValueIsMeanNegativeLogLikelihood() {
    // two rows: uniform logits over 4 classes → log 4 each; confident correct row → ~0
    Tensor logits = Tensor.of(new float[] {0, 0, 0, 0, 0, 50, 0, 0}, 2, 4);
    double l = new SoftmaxCrossEntropy().forward(logits, new int[] {2, 1});
    assertEquals(Math.log(4) / 2, l, 1e-6);
  }

  @Test
  void smoothedLossMixesTargetAndUniformTerms() {
    // logits (ln 1, ln 2, ln 1): p = (1/4, 1/2, 1/4); label 1, ε = 0.3 → t = (0.1, 0.8, 0.1)
    Tensor logits = Tensor.of(new float[] {0f, (float) Math.log(2), 0f}, 1, 3);
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(0.3);
    double expected = -(0.1 * Math.log(0.25) + 0.8 * Math.log(0.5) + 0.1 * Math.log(0.25));
    assertEquals(expected, ce.forward(logits, new int[] {1}), 1e-6);
    float[] g = ce.gradient().toArray();
    assertEquals(0.25 - 0.1, g[0], 1e-6);
    assertEquals(0.5 - 0.8, g[1], 1e-6);
  }

  @Test
  void smoothingOutsideUnitIntervalIsRejected() {
    for (double bad : new double[] {-0.1, 1, Double.NaN}) {
      var e = assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy(bad));
      assertTrue(e.getMessage().contains("label smoothing"), e.getMessage());
    }
  }

  @Test
  void stableForHugeLogits() {
    Tensor logits = Tensor.of(new float[] {1e30f, -1e30f, 0f, 3e4f, 3e4f + 1, -3e4f}, 2, 3);
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    double l = ce.forward(logits, new int[] {0, 0});
    assertEquals((0 + (1 + Math.log(1 + Math.exp(-1)))) / 2, l, 1e-5);
    for (float g : ce.gradient().toArray()) assertTrue(Float.isFinite(g));
    assertEquals(1, ce.lastCorrect());
  }

  @Test
  void accuracyCountsArgMax() {
    Tensor logits = Tensor.of(new float[] {1, 2, 0, 5, 0, 0, 0, 0, 9}, 3, 3);
    assertEquals(2.0 / 3, SoftmaxCrossEntropy.accuracy(logits, new int[] {1, 0, 1}), 1e-12);
  }

  @Test
  void badLabelNamesRow() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SoftmaxCrossEntropy().forward(Tensor.zeros(2, 3), new int[] {0, 7}));
    assertTrue(e.getMessage().contains("row 1"), e.getMessage());
  }
}
