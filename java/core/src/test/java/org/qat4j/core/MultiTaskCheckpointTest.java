package org.qat4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.io.Checkpoint;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.History;
import org.qat4j.core.train.MultiTaskTrainer;
import org.qat4j.core.train.TrainingState;

/**
 * {@link MultiTaskTrainer} with checkpoints: one epoch, save, load, restore and a second epoch give
 * the weights of two straight epochs; per-output losses score a weight-0 output too.
 */
class MultiTaskCheckpointTest {
  private static final int N = 96;

  private static float[][] x() {
    SplittableRandom r = new SplittableRandom(3);
    float[][] x = {new float[N * 4], new float[N * 4]};
    for (float[] a : x) for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
    return x;
  }

  private static int[][] y(float[][] x) {
    int[][] y = {new int[N], new int[N]};
    for (int s = 0; s < N; s++) {
      y[0][s] = x[0][s * 4] > 0.3 ? 2 : x[0][s * 4] > -0.3 ? 1 : 0;
      y[1][s] = x[1][s * 4 + 1] > 0 ? 1 : 0;
    }
    return y;
  }

  private static float[] weights(Model m) {
    return m.params().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getValue().value().toArray())
        .reduce(new float[0], MultiTaskCheckpointTest::concat);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void oneEpochSavedLoadedAndResumedEqualsTwoStraightEpochs(@TempDir Path dir) throws Exception {
    float[][] x = x();
    int[][] y = y(x);
    MultiTaskTrainer straight =
        new MultiTaskTrainer(MultiIoModelTest.twoByTwo(4), new Adam(1e-2), 1.0, 0.5);
    straight.epoch(x, y, 16, 9, 0);
    double[] second = straight.epoch(x, y, 16, 9, 1);

    MultiTaskTrainer first =
        new MultiTaskTrainer(MultiIoModelTest.twoByTwo(4), new Adam(1e-2), 1.0, 0.5);
    first.epoch(x, y, 16, 9, 0);
    JsonObject extra = new JsonObject();
    extra.addProperty("note", "kept");
    Path ck = dir.resolve("ck.zip");
    Checkpoint.save(
        first.model(),
        first.optimizer(),
        new TrainingState(1, first.globalStep(), 9, 16, new History()),
        extra,
        ck);
    Checkpoint c = Checkpoint.load(ck);
    assertEquals("kept", c.extra().get("note").getAsString());
    assertEquals(6, c.state().globalStep());
    MultiTaskTrainer resumed = new MultiTaskTrainer(c.model(), c.optimizer(), 1.0, 0.5);
    resumed.restore(c.state().globalStep());
    assertArrayEquals(second, resumed.epoch(x, y, 16, 9, 1), 0.0);
    assertArrayEquals(weights(straight.model()), weights(resumed.model()), 0f);
    MultiTaskTrainer wrong = new MultiTaskTrainer(c.model(), new Adam(1e-2), 1.0, 0.5);
    assertThrows(IllegalArgumentException.class, () -> wrong.restore(6));
  }

  @Test
  void aWeightZeroOutputIsScoredButDoesNotLearn() {
    float[][] x = x();
    int[][] y = y(x);
    MultiTaskTrainer t =
        new MultiTaskTrainer(MultiIoModelTest.twoByTwo(7), new Adam(2e-2), 1.0, 0.0);
    double[] before = t.losses(x, y, 32);
    double[] last = null;
    for (int e = 0; e < 20; e++) last = t.epoch(x, y, 32, 1, e);
    double[] after = t.losses(x, y, 32);
    assertEquals(3, last.length);
    assertEquals(last[0], last[2], 1e-9, "the weighted loss is output 0's alone");
    assertTrue(after[0] < before[0] / 2, Arrays.toString(before) + " -> " + Arrays.toString(after));
    assertTrue(Double.isFinite(last[1]) && last[1] > 0, "output 1 is scored: " + last[1]);
    assertTrue(
        after[1] > 0.8 * before[1],
        "output 1 did not learn: " + Arrays.toString(before) + " -> " + Arrays.toString(after));
  }
}
