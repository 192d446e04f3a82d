package org.qat4j.core.zoo;

/**
 * The options every zoo builder takes, with their checks: square input side, input channels, number
 * of classes, and a Softmax layer after the logits. Setters return the concrete builder.
 */
abstract class ZooBuilder<T extends ZooBuilder<T>> {
  private final String model;
  int resolution = 224;
  int channels = 3;
  int classes = 1000;
  boolean softmax;

  ZooBuilder(String model) {
    this.model = model;
  }

  abstract T self();

  /** Square input side in pixels, at least 32 (five stride-2 stages). */
  public T resolution(int r) {
    resolution = ZooArgs.resolution(model, r);
    return self();
  }

  /** Input channels (3 for RGB). */
  public T channels(int c) {
    channels = ZooArgs.positive(model, "channels", c);
    return self();
  }

  /** Number of classifier outputs. */
  public T classes(int n) {
    classes = ZooArgs.positive(model, "classes", n);
    return self();
  }

  /** Appends a Softmax layer after the logits (Keras's {@code classifier_activation="softmax"}). */
  public T softmax(boolean on) {
    softmax = on;
    return self();
  }

  /** A width multiplier in (0, 4] (the MobileNets'). */
  final float checkedAlpha(float a) {
    if (!(a > 0f) || a > 4f)
      throw new IllegalArgumentException(model + ": alpha must be in (0, 4], got " + a);
    return a;
  }
}
