package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.BatchNormalization;

/**
 * The re-estimated moving statistics are the average of the per-batch statistics of the BN input,
 * computed independently.
 */
class BatchNormReestimationTest {
  /** Adds each of the 4 channels' mean and (biased) variance over the rows of {@code x}. */
  private static void addChannelMoments(float[] x, double[] mean, double[] var) {
    int rows = x.length / 4;
    for (int c = 0; c < 4; c++) {
      double s = 0;
      double s2 = 0;
      for (int r = 0; r < rows; r++) {
        s += x[r * 4 + c];
        s2 += (double) x[r * 4 + c] * x[r * 4 + c];
      }
      mean[c] += s / rows;
      var[c] += s2 / rows - (s / rows) * (s / rows);
    }
  }

  @Test
  void movingStatisticsBecomeTheAverageOfTheBatchStatistics() {
    Model m = TrainFixtures.smallCnn(3);
    Dataset data = TrainFixtures.bands(256, 5);
    BatchNormalization bn = (BatchNormalization) m.layer("bn");
    float[] gamma = bn.gamma().value().toArray();
    double[] mean = new double[4];
    double[] var = new double[4];
    int batches = 0;
    for (Batch b : data.batches(64, false, 0)) {
      m.forward(
          b.images(),
          ExecContext.inference()); // conv precedes bn: its output does not depend on BN statistics
      addChannelMoments(m.activation("conv").toArray(), mean, var);
      batches++;
    }
    assertEquals(4, BatchNormReestimation.run(m, data, 64, 100));
    float[] mm = bn.movingMean().value().toArray();
    float[] mv = bn.movingVariance().value().toArray();
    for (int c = 0; c < 4; c++) {
      assertEquals(
          mean[c] / batches,
          mm[c],
          1e-4 * Math.max(1, Math.abs(mean[c] / batches)),
          "moving mean of channel " + c);
      assertEquals(
          var[c] / batches,
          mv[c],
          1e-4 * Math.max(1, var[c] / batches),
          "moving variance of channel " + c);
    }
    assertEquals(0.99f, bn.momentum(), "momentum restored");
    assertArrayEquals(gamma, bn.gamma().value().toArray(), "only the moving statistics change");
  }

  @Test
  void limitsTheBatchesAndSkipsFrozenLayers() {
    Model m = TrainFixtures.smallCnn(3);
    Dataset data = TrainFixtures.bands(256, 5);
    assertEquals(2, BatchNormReestimation.run(m, data, 64, 2));
    BatchNormalization bn = (BatchNormalization) m.layer("bn");
    bn.movingMean().value().buffer().put(0, 123f);
    bn.freeze(true);
    assertEquals(0, BatchNormReestimation.run(m, data, 64, 2));
    assertEquals(123f, bn.movingMean().value().toArray()[0]);
    assertEquals(
        0,
        BatchNormReestimation.run(TrainFixtures.mlp(1), data, 64, 2),
        "no BatchNorm, nothing to do");
  }

  /**
   * After a few steps the momentum averages lag; inference then disagrees with training-mode
   * statistics, the pass closes the gap.
   */
  @Test
  void closesTheGapAfterAShortRun() {
    Model m = TrainFixtures.smallCnn(3);
    Dataset data = TrainFixtures.bands(512, 5);
    Trainer t = new Trainer(m, new Adam(0.01));
    t.fit(data, null, 1, 64, 1);
    double before = t.evaluate(data, 64).loss();
    BatchNormReestimation.run(m, data, 64, 100);
    double after = t.evaluate(data, 64).loss();
    assertTrue(after < before, "inference loss " + before + " → " + after);
  }
}
