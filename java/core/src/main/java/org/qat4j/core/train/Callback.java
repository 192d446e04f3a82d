package org.qat4j.core.train;

/**
 * Hooks into {@link Trainer#fit}; every method defaults to doing nothing. Steps are counted
 * globally from 0 across epochs and resumes, so a hook such as "freeze BatchNorm after N steps" can
 * use {@link #onStepBegin}. Call {@link Trainer#requestStop()} to end training after the current
 * epoch.
 */
public interface Callback {
  default void onTrainBegin(Trainer trainer) {}

  /** Before epoch {@code epoch} (0-based). */
  default void onEpochBegin(Trainer trainer, int epoch) {}

  /** Before the forward pass of update number {@code globalStep} (0-based). */
  default void onStepBegin(Trainer trainer, long globalStep) {}

  /** After the optimizer update of a step. */
  default void onStepEnd(Trainer trainer, StepResult step) {}

  /** After an epoch (and its validation) has been recorded in the history. */
  default void onEpochEnd(Trainer trainer, EpochStats stats) {}

  default void onTrainEnd(Trainer trainer) {}
}
