package org.qat4j.core;

/**
 * A named layer variable: its value and, for trainable ones, the gradient the last backward pass
 * wrote. Non-trainable params (BatchNorm statistics, quantization ranges) are saved in checkpoints
 * but never touched by optimizers.
 */
public final class Param {
  private final String name;
  private final Tensor value;
  private final Tensor grad;
  private final boolean trainable;
  private boolean frozen;

  public Param(String name, Tensor value, boolean trainable) {
    this.name = name;
    this.value = value;
    this.trainable = trainable;
    this.grad = trainable ? Tensor.zeros(value.shape()) : null;
  }

  /** Name local to its layer, e.g. "kernel". */
  public String name() {
    return name;
  }

  public Tensor value() {
    return value;
  }

  /** Gradient tensor, same shape as the value; null when created non-trainable. */
  public Tensor grad() {
    return grad;
  }

  /** Whether optimizers update this param: created trainable and not {@link #frozen()}. */
  public boolean trainable() {
    return trainable && !frozen;
  }

  /** Whether a trainable param is held fixed, e.g. a backbone during fine-tuning of a head. */
  public boolean frozen() {
    return frozen;
  }

  /** Freezes or unfreezes a param created trainable; ignored for non-trainable params. */
  public void setFrozen(boolean f) {
    frozen = trainable && f;
  }
}
