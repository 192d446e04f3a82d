package org.qat4j.core.train;

import java.util.SplittableRandom;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.ReLU;

/**
 * Small synthetic problems and models shared by the training, checkpoint and serialization tests.
 */
public final class TrainFixtures {
  private TrainFixtures() {}

  /**
   * {@code n} 6×6×1 noise images; the label (0–2) is the brightest of three horizontal bands, which
   * a small network learns in a few epochs.
   */
  public static Dataset bands(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * 36];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int label = r.nextInt(3);
      y[i] = label;
      for (int p = 0; p < 36; p++) {
        int band = (p / 6) / 2;
        x[i * 36 + p] = (float) (r.nextDouble() * 0.5 + (band == label ? 0.6 : 0));
      }
    }
    return new Dataset(x, y, new int[] {6, 6, 1}, 3);
  }

  /** Flatten → Dense(16) → ReLU → Dense(3) on 6×6×1. */
  public static Model mlp(long seed) {
    return new Sequential(seed, "input", 6, 6, 1)
        .add(new Flatten("flatten"))
        .add(new Dense("hidden", 16))
        .add(new ReLU("relu"))
        .add(new Dense("logits", 3))
        .build();
  }

  /** Conv2D(4, 3×3) → BN → ReLU → MaxPool 2×2 → Flatten → Dense(3) on 6×6×1. */
  public static Model smallCnn(long seed) {
    return new Sequential(seed, "input", 6, 6, 1)
        .add(new Conv2D("conv", 4, 3, 3))
        .add(new BatchNormalization("bn"))
        .add(new ReLU("relu"))
        .add(new MaxPool2D("pool", 2, 2))
        .add(new Flatten("flatten"))
        .add(new Dense("logits", 3))
        .build();
  }
}
