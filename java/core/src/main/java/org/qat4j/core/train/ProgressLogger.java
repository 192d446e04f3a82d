package org.qat4j.core.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints running loss, accuracy and images per second every {@code everySteps} steps (0 = only per
 * epoch) and one summary line per epoch.
 */
public final class ProgressLogger implements Callback {
  private final PrintStream out;
  private final int everySteps;
  private double lossSum;
  private long correct;
  private long seen;
  private long t0;

  public ProgressLogger(PrintStream out, int everySteps) {
    if (everySteps < 0) throw new IllegalArgumentException("everySteps must be >= 0");
    this.out = out;
    this.everySteps = everySteps;
  }

  @Override
  public void onEpochBegin(Trainer trainer, int epoch) {
    lossSum = 0;
    correct = 0;
    seen = 0;
    t0 = System.nanoTime();
  }

  @Override
  public void onStepEnd(Trainer trainer, StepResult s) {
    lossSum += s.loss() * s.size();
    correct += s.correct();
    seen += s.size();
    if (everySteps > 0 && (s.batch() + 1) % everySteps == 0) {
      double secs = (System.nanoTime() - t0) / 1e9;
      out.printf(
          Locale.ROOT,
          "epoch %d batch %d: loss %.4f acc %.4f  %.0f images/s  lr %.3g%n",
          s.epoch() + 1,
          s.batch() + 1,
          lossSum / seen,
          correct / (double) seen,
          seen / secs,
          s.lr());
    }
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochStats s) {
    String val =
        s.hasValidation()
            ? String.format(
                Locale.ROOT, "  val_loss %.4f val_acc %.4f", s.valLoss(), s.valAccuracy())
            : "";
    out.printf(
        Locale.ROOT,
        "epoch %d: loss %.4f acc %.4f%s  %.1f s  %.0f images/s%n",
        s.epoch() + 1,
        s.loss(),
        s.accuracy(),
        val,
        s.seconds(),
        s.imagesPerSecond());
  }
}
