package org.qat4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.qat4j.core.train.Callback;
import org.qat4j.core.train.StepResult;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.train.TrainingDivergedException;

/**
 * Stops a training run whose loss explodes while staying finite (e.g. {@code --lr 1e9} reaches
 * 1e30): once the loss of a step exceeds {@link #FACTOR} times the larger of the first step's loss
 * and ln(classes), the run fails before anything is saved. The core {@link Trainer} already stops
 * on NaN/Inf; {@link #failure} words that case the same way.
 */
final class DivergenceGuard implements Callback {
  /**
   * Cross-entropy of a healthy run stays near or below its first step's; 100× that is far outside.
   */
  static final double FACTOR = 100;

  private final double floor;
  private final float lr;
  private final Path out;
  private double first = Double.NaN;

  /**
   * {@code classes}: output width (ln(classes) is the loss of uniform predictions); lr and out for
   * the message.
   */
  DivergenceGuard(int classes, float lr, Path out) {
    this.floor = Math.log(Math.max(2, classes));
    this.lr = lr;
    this.out = out;
  }

  @Override
  public void onStepEnd(Trainer trainer, StepResult step) {
    if (Double.isNaN(first)) first = step.loss();
    double ref = Math.max(first, floor);
    if (step.loss() > FACTOR * ref) {
      throw failure(
          String.format(
              Locale.ROOT,
              "loss %.3g at epoch %d, batch %d exceeds %.0f× the first step's %.3g",
              step.loss(),
              step.epoch(),
              step.batch(),
              FACTOR,
              ref));
    }
  }

  /** The CLI failure for a run the core stopped on a NaN/Inf loss or gradient. */
  CliException failure(TrainingDivergedException e) {
    return failure(e.getMessage().replaceFirst(";.*", ""));
  }

  private CliException failure(String what) {
    return CliException.failed(
        "training diverged: "
            + what
            + "; nothing was written to "
            + out
            + ". Lower --lr (was "
            + lr
            + ")");
  }
}
