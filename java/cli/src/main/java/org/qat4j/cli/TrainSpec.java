package org.qat4j.cli;

import java.nio.file.Path;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.LrSchedule;

/**
 * Arguments of a training run (float or QAT). {@code model} is an architecture name, zoo:NAME or a
 * saved file; {@code cosine} decays lr to 0 over all steps of the run; {@code lossWeights} is the
 * {@code --loss-weights} text (null: every output weighs 1), read by {@link LossWeights}.
 */
record TrainSpec(
    String model,
    Path data,
    int epochs,
    long seed,
    int batchSize,
    float lr,
    int limit,
    Path out,
    int testLimit,
    boolean cosine,
    double convInitScale,
    String lossWeights) {
  TrainSpec(
      String model,
      Path data,
      int epochs,
      long seed,
      int batchSize,
      float lr,
      int limit,
      Path out,
      int testLimit,
      boolean cosine,
      double convInitScale) {
    this(
        model,
        data,
        epochs,
        seed,
        batchSize,
        lr,
        limit,
        out,
        testLimit,
        cosine,
        convInitScale,
        null);
  }

  /** This spec with {@code --loss-weights} text {@code w} (may be null). */
  TrainSpec withLossWeights(String w) {
    return new TrainSpec(
        model, data, epochs, seed, batchSize, lr, limit, out, testLimit, cosine, convInitScale, w);
  }

  TrainSpec(
      String model,
      Path data,
      int epochs,
      long seed,
      int batchSize,
      float lr,
      int limit,
      Path out,
      int testLimit) {
    this(model, data, epochs, seed, batchSize, lr, limit, out, testLimit, false);
  }

  TrainSpec(
      String model,
      Path data,
      int epochs,
      long seed,
      int batchSize,
      float lr,
      int limit,
      Path out,
      int testLimit,
      boolean cosine) {
    this(model, data, epochs, seed, batchSize, lr, limit, out, testLimit, cosine, 1);
  }

  /** Adam (Keras defaults) at {@link #lr} under the spec's schedule for {@code batchesPerEpoch}. */
  Adam adam(int batchesPerEpoch) {
    return new Adam(
        cosine
            ? LrSchedule.cosine(lr, 0, (long) epochs * batchesPerEpoch, 0)
            : LrSchedule.constant(lr));
  }
}
