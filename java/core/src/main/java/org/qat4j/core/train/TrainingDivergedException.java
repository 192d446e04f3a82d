package org.qat4j.core.train;

/** Thrown when the loss or a gradient becomes NaN or infinite; names the step where it happened. */
public final class TrainingDivergedException extends IllegalStateException {
  private final int epoch;
  private final int batch;
  private final long globalStep;

  public TrainingDivergedException(String what, int epoch, int batch, long globalStep) {
    super(
        what
            + " at epoch "
            + epoch
            + ", batch "
            + batch
            + " (global step "
            + globalStep
            + "); parameters were not updated by this step. Lower the learning rate or check the inputs.");
    this.epoch = epoch;
    this.batch = batch;
    this.globalStep = globalStep;
  }

  public int epoch() {
    return epoch;
  }

  public int batch() {
    return batch;
  }

  public long globalStep() {
    return globalStep;
  }
}
