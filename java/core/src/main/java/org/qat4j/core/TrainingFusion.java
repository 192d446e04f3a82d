package org.qat4j.core;

/**
 * A run of consecutive layers that a {@link Model} may execute as one step in training passes (e.g.
 * conv → BN → ReLU → 2×2 max pool), decided per pass; the layers stay in the model, and inference,
 * export and {@link Model#predict} run them one by one. Tensors are NHWC; the fusion owns its
 * scratch buffers and returns reused tensors.
 */
public interface TrainingFusion {
  /** Number of layers (model nodes) the fusion replaces. */
  int span();

  /**
   * Decides whether the coming pass runs fused: {@code fused} (a training pass that fuses), whether
   * the first layer's input needs a gradient (a fusion that cannot compute it declines then), and
   * the fusion's own conditions; {@link #active()} reports the decision to backward.
   */
  boolean use(boolean fused, boolean inputGradient, ExecContext ctx);

  /** Whether the last forward pass ran fused (then backward must go through {@link #backward}). */
  boolean active();

  /** The last layer's output for the first layer's input {@code in} (kept until backward). */
  Tensor forward(Tensor in, ExecContext ctx);

  /**
   * From dLoss/d(last output) (null: the loss ignores it) writes every parameter gradient of the
   * fused layers; returns dLoss/d(first input) when {@code needInput}, else null.
   */
  Tensor backward(Tensor gy, ExecContext ctx, boolean needInput);
}
