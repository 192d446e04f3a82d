package org.qat4j.core.zoo;

/** Argument checks shared by the zoo builders. */
final class ZooArgs {
  private ZooArgs() {}

  static int positive(String model, String what, int v) {
    if (v < 1)
      throw new IllegalArgumentException(model + ": " + what + " must be positive, got " + v);
    return v;
  }

  static int resolution(String model, int r) {
    if (r < 32)
      throw new IllegalArgumentException(
          model + ": resolution must be at least 32 (five stride-2 stages), got " + r);
    return r;
  }

  /**
   * Keras's {@code _make_divisible}: nearest multiple of {@code d}, at least d, never below 90% of
   * v.
   */
  static int makeDivisible(float v, int d) {
    int n = Math.max(d, (int) (v + d / 2f) / d * d);
    return n < 0.9f * v ? n + d : n;
  }
}
