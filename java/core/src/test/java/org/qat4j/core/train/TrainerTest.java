package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.ir.internal.Parallel;

class TrainerTest {
  private static final Dataset TRAIN = TrainFixtures.bands(384, 1);
  private static final Dataset VAL = TrainFixtures.bands(128, 2);

  /** Per-step losses of a 3-epoch run. */
  private static List<Double> curve(long seed, int threads) {
    Parallel.setThreads(threads);
    List<Double> losses = new ArrayList<>();
    Trainer t = new Trainer(TrainFixtures.smallCnn(7), new Adam(0.01));
    t.addCallback(
        new Callback() {
          @Override
          public void onStepEnd(Trainer tr, StepResult s) {
            losses.add(s.loss());
          }
        });
    t.fit(TRAIN, VAL, 3, 32, seed);
    return losses;
  }

  @Test
  void learnsSyntheticProblem() {
    Trainer t = new Trainer(TrainFixtures.mlp(3), new Adam(0.01));
    History h = t.fit(TRAIN, VAL, 8, 32, 5);
    assertEquals(8, h.size());
    assertTrue(
        h.last().loss() < h.epochs().get(0).loss() * 0.5,
        "loss fell: " + java.util.Arrays.toString(h.losses()));
    assertTrue(h.last().valAccuracy() > 0.9, "val accuracy " + h.last().valAccuracy());
    assertEquals(8 * 12, t.globalStep());
    assertEquals(h.last().valAccuracy(), t.evaluate(VAL, 50).accuracy(), 1e-12);
    assertTrue(h.last().seconds() > 0 && h.last().imagesPerSecond() > 0);
  }

  @Test
  void sameSeedAndThreadsGiveIdenticalCurve() {
    List<Double> a = curve(11, 2);
    List<Double> b = curve(11, 2);
    assertEquals(36, a.size());
    assertEquals(a, b);
    assertNotEquals(a, curve(12, 2));
  }

  @Test
  void evaluateMatchesManualPredictions() {
    Model m = TrainFixtures.mlp(9);
    Trainer t = new Trainer(m, new Sgd(0.1));
    Evaluation e = t.evaluate(VAL, 48);
    int correct = 0;
    for (int i = 0; i < VAL.size(); i++) {
      Tensor logits = m.predict(Tensor.of(VAL.sample(i), 1, 6, 6, 1));
      correct += SoftmaxCrossEntropy.countCorrect(logits, new int[] {VAL.label(i)});
    }
    assertEquals(correct / (double) VAL.size(), e.accuracy(), 1e-12);
    assertEquals(VAL.size(), e.count());
  }

  @Test
  void nanLossStopsTrainingNamingTheStep() {
    Model m = TrainFixtures.mlp(3);
    Trainer t = new Trainer(m, new Sgd(0.1));
    t.addCallback(
        new Callback() {
          @Override
          public void onStepBegin(Trainer tr, long step) {
            if (step == 14) m.params().get("hidden/kernel").value().set(5, Float.NaN);
          }
        });
    var e = assertThrows(TrainingDivergedException.class, () -> t.fit(TRAIN, null, 3, 32, 1));
    assertEquals(1, e.epoch());
    assertEquals(2, e.batch());
    assertEquals(14, e.globalStep());
    assertTrue(e.getMessage().contains("epoch 1, batch 2"), e.getMessage());
    assertEquals(14, t.globalStep());
  }

  /** Test double: identity layer whose parameter gradient becomes infinite from a given step on. */
  private static final class PoisonGradient extends org.qat4j.core.Layer {
    private final org.qat4j.core.Param w = new org.qat4j.core.Param("w", Tensor.zeros(1), true);
    private int calls;

    PoisonGradient() {
      super("poison");
    }

    @Override
    public String type() {
      return "PoisonGradient";
    }

    @Override
    public int[] outputShape(int[]... in) {
      return in[0].clone();
    }

    @Override
    public Tensor forward(Tensor[] in, org.qat4j.core.ExecContext ctx) {
      return in[0];
    }

    @Override
    public Tensor[] backward(Tensor g, org.qat4j.core.ExecContext ctx) {
      w.grad().set(0, ++calls >= 4 ? Float.POSITIVE_INFINITY : 0f);
      return new Tensor[] {g};
    }

    @Override
    public java.util.List<org.qat4j.core.Param> params() {
      return java.util.List.of(w);
    }
  }

  @Test
  void infiniteGradientStopsTrainingBeforeTheUpdate() {
    Model m =
        new org.qat4j.core.Sequential(1, "input", 6, 6, 1)
            .add(new org.qat4j.core.layers.Flatten("flat"))
            .add(new PoisonGradient())
            .add(new org.qat4j.core.layers.Dense("logits", 3))
            .build();
    Trainer t = new Trainer(m, new Sgd(0.1));
    var e = assertThrows(TrainingDivergedException.class, () -> t.fit(TRAIN, null, 2, 128, 1));
    assertTrue(
        e.getMessage().contains("poison/w") && e.getMessage().contains("epoch 1, batch 0"),
        e.getMessage());
    assertEquals(3, e.globalStep());
    assertEquals(0f, m.params().get("poison/w").value().get(0), "no update applied");
  }

  @Test
  void earlyStoppingStopsWhenNoImprovement() {
    Trainer t = new Trainer(TrainFixtures.mlp(3), new Sgd(0.0));
    EarlyStopping es = new EarlyStopping(EarlyStopping.Monitor.VAL_LOSS, 1, 1e-6, true);
    History h = t.addCallback(es).fit(TRAIN, VAL, 10, 64, 1);
    assertEquals(3, h.size(), "first epoch sets best, two more without improvement then stop");
    assertEquals(0, es.bestEpoch());
  }

  @Test
  void progressPrintsEpochLines() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Trainer t = new Trainer(TrainFixtures.mlp(3), new Adam(0.01));
    t.addCallback(new ProgressLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8), 5));
    t.fit(TRAIN, VAL, 2, 32, 1);
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("epoch 2: loss"), out);
    assertTrue(out.contains("val_acc"), out);
    assertTrue(out.contains("epoch 1 batch 10:") && out.contains("images/s"), out);
  }

  @Test
  void calibrateRunsForwardOnly() {
    Model m = TrainFixtures.smallCnn(4);
    Trainer t = new Trainer(m, new Adam(0.01));
    float[] before = m.params().get("conv/kernel").value().toArray();
    float[] mean0 = m.params().get("bn/moving_mean").value().toArray();
    t.calibrate(TRAIN, 32, 2, false);
    assertArrayEquals(mean0, m.params().get("bn/moving_mean").value().toArray());
    t.calibrate(TRAIN, 32, 2, true);
    assertFalse(
        java.util.Arrays.equals(mean0, m.params().get("bn/moving_mean").value().toArray()),
        "BN saw batches");
    assertArrayEquals(before, m.params().get("conv/kernel").value().toArray());
    assertEquals(0, t.globalStep());
  }

  @Test
  void stepHookCanFreezeBatchNorm() {
    Model m = TrainFixtures.smallCnn(4);
    BatchNormalization bn = (BatchNormalization) m.layer("bn");
    Trainer t = new Trainer(m, new Adam(0.01));
    float[][] frozenMean = new float[1][];
    t.addCallback(
        new Callback() {
          @Override
          public void onStepBegin(Trainer tr, long step) {
            if (step == 5) {
              bn.freeze(true);
              frozenMean[0] = bn.movingMean().value().toArray();
            }
          }
        });
    t.fit(TRAIN, null, 1, 32, 1);
    assertArrayEquals(frozenMean[0], bn.movingMean().value().toArray());
  }

  @Test
  void badArguments() {
    Trainer t = new Trainer(TrainFixtures.mlp(3), new Adam(0.01));
    assertThrows(IllegalArgumentException.class, () -> t.fit(TRAIN, null, 1, 0, 1));
    Dataset tenClasses = new Dataset(new float[36], new int[] {9}, new int[] {6, 6, 1}, 10);
    var e = assertThrows(IllegalArgumentException.class, () -> t.fit(tenClasses, null, 1, 1, 1));
    assertTrue(e.getMessage().contains("logits"), e.getMessage());
  }
}
