package org.qat4j.core.train;

/**
 * Everything besides model and optimizer that a resumed run needs to continue exactly: completed
 * epochs, global step, the run seed (all shuffling, augmentation and layer randomness derive from
 * seed, epoch and step) and the batch size, plus the history so far.
 */
public record TrainingState(int epoch, long globalStep, long seed, int batchSize, History history) {
  public TrainingState {
    if (epoch < 0 || globalStep < 0)
      throw new IllegalArgumentException("negative epoch/step in training state");
    history = history.copy();
  }
}
