package org.qat4j.core.zoo;

/**
 * The training recipe measured for a zoo architecture: Adam's peak rate under the cosine schedule,
 * and the Glorot-uniform variance scale of its Conv2D kernels (1 = Keras's Glorot), with where the
 * figures come from. {@link Zoo#recipe} looks them up.
 *
 * @param peakLr Adam's peak learning rate (> 0)
 * @param convInitScale the conv kernels' init variance scale (> 0); only architectures whose
 *     builder takes a conv initializer (the reference CNN's) use a value other than 1
 * @param source where the figures were measured, or why they are a default
 */
public record Recipe(double peakLr, double convInitScale, String source) {
  /** The reference CNN's peak rate: 91.5 % after 5 epochs (docs/PERFORMANCE.md). */
  public static final double REFERENCE_CNN_LR = 0.0015;

  /** The reference CNN's conv init scale. */
  public static final double REFERENCE_CNN_INIT = 0.04;

  /** MobileNetMini's peak rate: the best of a 1.5e-3 to 1.2e-2 sweep over seeds (session 8). */
  public static final double MOBILENET_MINI_LR = 0.012;

  public Recipe {
    if (!(peakLr > 0) || Double.isInfinite(peakLr))
      throw new IllegalArgumentException("recipe peak rate must be > 0, got " + peakLr);
    if (!(convInitScale > 0) || Double.isInfinite(convInitScale))
      throw new IllegalArgumentException(
          "recipe conv init scale must be > 0, got " + convInitScale);
  }
}
