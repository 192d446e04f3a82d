package org.qat4j.core.data;

/**
 * Per-sample training augmentation on NHWC images: random crop after zero padding by {@code
 * padding} pixels on each side (0 = off) and random horizontal flip with probability 1/2.
 */
public record Augmentation(int padding, boolean horizontalFlip) {
  public static final Augmentation NONE = new Augmentation(0, false);

  public Augmentation {
    if (padding < 0)
      throw new IllegalArgumentException("augmentation padding must be >= 0, got " + padding);
  }

  /** Random crop with {@code padding} and horizontal flip, the usual small-image recipe. */
  public static Augmentation cropAndFlip(int padding) {
    return new Augmentation(padding, true);
  }

  public boolean enabled() {
    return padding > 0 || horizontalFlip;
  }
}
