package org.qat4j.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Data-size, batch and thread options shared by {@code train} and {@code quantize}. */
final class TrainingOptions {
  @Option(
      names = "--batch-size",
      defaultValue = "64",
      description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "Use only the first N training images (0 = all).")
  int limit;

  @Option(
      names = "--test-limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "Report test accuracy on the first N test images (0 = all 10000).")
  int testLimit;

  @Option(
      names = "--schedule",
      paramLabel = "constant|cosine",
      description =
          "Learning-rate schedule: constant, or cosine decay from --lr to 0 over the run's steps "
              + "(default: cosine for train, the recipe of docs/PERFORMANCE.md; constant for quantize).")
  String schedule;

  @Option(
      names = "--loss-weights",
      paramLabel = "NAME=W,…|W,…",
      description =
          "Models with several outputs: weight of each output's loss, by name (class=1,group=0.5; an output left "
              + "out weighs 0, so class=1 trains on that output alone) or one per output in order (1,0.5). "
              + "Weights are finite and >= 0, not all 0 (default: 1 for every output).")
  String lossWeights;

  @Mixin ThreadOptions threads;

  static final int MAX_BATCH = 4096;

  /** True for a cosine schedule: the --schedule given, else {@code byDefault}. */
  boolean cosine(boolean byDefault) {
    return schedule == null ? byDefault : schedule.equals("cosine");
  }

  /**
   * Applies the thread settings and checks the shared numbers plus the command's epochs and
   * learning rate.
   */
  void validate(int epochs, float lr) {
    threads.apply();
    Args.positive(epochs, "--epochs");
    Args.atMost(
        batchSize,
        MAX_BATCH,
        "--batch-size",
        "a larger batch needs gigabytes of activations; use smaller batches");
    Args.nonNegative(limit, "--limit");
    Args.nonNegative(testLimit, "--test-limit");
    if (!(lr > 0) || !Float.isFinite(lr))
      throw CliException.usage("--lr: must be a finite number > 0, got " + lr);
    if (schedule != null && !schedule.equals("constant") && !schedule.equals("cosine")) {
      throw CliException.usage("--schedule: must be constant or cosine, got '" + schedule + "'");
    }
  }
}
