package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.EpochStats;
import org.qat4j.core.train.StepResult;
import org.qat4j.core.train.Trainer;

/**
 * Trainer callback that drives one progress bar per epoch (running loss and accuracy) and records a
 * training curve: running-mean loss and accuracy every {@code every} steps, for the report.
 */
final class TrainProgress implements Callback {
  private final Pipeline.ProgressFactory factory;
  private final String label;
  private final int epochs;
  private final long batchesPerEpoch;
  private final int every;
  private Progress bar;
  private double lossSum;
  private long correct;
  private long seen;
  private final List<Double> steps = new ArrayList<>();
  private final List<Double> losses = new ArrayList<>();
  private final List<Double> accs = new ArrayList<>();
  private double winLoss;
  private long winCorrect;
  private long winSeen;

  TrainProgress(Pipeline.ProgressFactory factory, String label, int epochs, long batchesPerEpoch) {
    this.factory = factory;
    this.label = label;
    this.epochs = epochs;
    this.batchesPerEpoch = batchesPerEpoch;
    this.every = (int) Math.max(Math.min(10, batchesPerEpoch), batchesPerEpoch * epochs / 100);
  }

  @Override
  public void onEpochBegin(Trainer trainer, int epoch) {
    lossSum = 0;
    correct = 0;
    seen = 0;
    bar =
        factory.create(label + " epoch " + (epoch + 1) + "/" + epochs, batchesPerEpoch, "batches");
  }

  @Override
  public void onStepEnd(Trainer trainer, StepResult s) {
    lossSum += s.loss() * s.size();
    correct += s.correct();
    seen += s.size();
    winLoss += s.loss() * s.size();
    winCorrect += s.correct();
    winSeen += s.size();
    if ((s.globalStep() + 1) % every == 0) {
      steps.add((double) (s.globalStep() + 1));
      losses.add(winLoss / winSeen);
      accs.add(winCorrect / (double) winSeen);
      winLoss = 0;
      winCorrect = 0;
      winSeen = 0;
    }
    bar.status(
        String.format(Locale.ROOT, "loss %.4f acc %.4f", lossSum / seen, correct / (double) seen));
    bar.step(1);
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochStats stats) {
    if (!Double.isNaN(stats.valAccuracy()))
      bar.status(
          String.format(
              Locale.ROOT,
              "loss %.4f acc %.4f test acc %.4f",
              stats.loss(),
              stats.accuracy(),
              stats.valAccuracy()));
    bar.close();
  }

  /** The recorded curve: {@code step}, {@code loss}, {@code accuracy} arrays. */
  JsonObject curve() {
    JsonObject c = new JsonObject();
    c.add("step", Json.array(steps.stream().mapToDouble(Double::doubleValue).toArray()));
    c.add("loss", Json.array(losses.stream().mapToDouble(Double::doubleValue).toArray()));
    c.add("accuracy", Json.array(accs.stream().mapToDouble(Double::doubleValue).toArray()));
    return c;
  }
}
