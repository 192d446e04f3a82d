package org.qat4j.core.layers;

import java.util.SplittableRandom;
import org.qat4j.core.Tensor;

/** Standard weight initialisers drawn from a seeded RNG. */
public final class Init {
  private Init() {}

  /** Glorot/Xavier uniform: U(±sqrt(6/(fanIn+fanOut))). */
  public static Tensor glorotUniform(SplittableRandom rng, int fanIn, int fanOut, int... shape) {
    Tensor t = Tensor.zeros(shape);
    double lim = Math.sqrt(6.0 / (fanIn + fanOut));
    for (int i = 0; i < t.size(); i++) t.set(i, (float) ((rng.nextDouble() * 2 - 1) * lim));
    return t;
  }

  /** He/Kaiming normal: N(0, 2/fanIn), suited to ReLU networks. */
  public static Tensor heNormal(SplittableRandom rng, int fanIn, int... shape) {
    Tensor t = Tensor.zeros(shape);
    double std = Math.sqrt(2.0 / fanIn);
    for (int i = 0; i < t.size(); i++) t.set(i, (float) (gaussian(rng) * std));
    return t;
  }

  static double gaussian(SplittableRandom rng) {
    double u1 = rng.nextDouble(), u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(Math.max(u1, 1e-300))) * Math.cos(2 * Math.PI * u2);
  }
}
