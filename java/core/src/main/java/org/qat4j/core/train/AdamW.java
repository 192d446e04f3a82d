package org.qat4j.core.train;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): before the Adam step the weights are
 * scaled by {@code 1 - lr·weightDecay}, independent of the gradient statistics.
 */
public final class AdamW extends Adam {
  public AdamW(double lr, double weightDecay) {
    this(LrSchedule.constant(lr), 0.9, 0.999, 1e-7, weightDecay);
  }

  public AdamW(
      LrSchedule schedule, double beta1, double beta2, double epsilon, double weightDecay) {
    super(schedule, beta1, beta2, epsilon, weightDecay);
  }

  @Override
  public String type() {
    return "AdamW";
  }

  @Override
  protected boolean decoupled() {
    return true;
  }
}
