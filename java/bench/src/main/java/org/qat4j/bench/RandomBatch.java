package org.qat4j.bench;

import java.util.SplittableRandom;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.core.zoo.Zoo;

/**
 * The training benchmarks' input: a seeded NHWC [batch, 28, 28, 1] batch of values in [0, 1) with
 * labels in [0, 10), and their models by name.
 */
record RandomBatch(Tensor x, int[] labels) {
  static RandomBatch of(int batch, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[batch * 28 * 28];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble();
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) labels[i] = r.nextInt(10);
    return new RandomBatch(Tensor.of(v, batch, 28, 28, 1), labels);
  }

  /**
   * A tensor of the given shape, uniform in [−1, 1) from {@code seed}: the kernel benchmarks' data.
   */
  static Tensor uniform(long seed, int... shape) {
    Tensor t = Tensor.zeros(shape);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < t.size(); i++) t.set(i, (float) r.nextDouble(-1, 1));
    return t;
  }

  /** "mobilenet-mini" or a {@link Zoo} name, weights from seed 1. */
  static Model model(String name) {
    return name.equals("mobilenet-mini") ? MobileNetMini.create(1) : Zoo.create(name, 1);
  }
}
