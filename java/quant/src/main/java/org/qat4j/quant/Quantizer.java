package org.qat4j.quant;

import java.nio.FloatBuffer;

/**
 * A range-tracking rule for one tensor: bit width, grid flavour and how observed batches update the
 * [min, max] range (one entry per channel of the last axis, or one for per-tensor). The fake-quant
 * itself is always TensorFlow's kernel ({@link org.qat4j.quant.quantizers.FakeQuant}), so every
 * quantizer is exportable. Implement this to write your own observer; instances are stateless
 * rules.
 */
public interface Quantizer {
  /** Bits of the integer grid, 2–8. */
  int numBits();

  /** Narrow range drops the lowest code (qmin = 1): symmetric weights use it. */
  boolean narrowRange();

  /** True for symmetric ranges (min = −max after widening), as TFLite requires for weights. */
  boolean symmetric();

  /** True for one range per channel of the last axis (per-axis weights). */
  boolean perAxis();

  /**
   * Updates {@code min}/{@code max} (length = channels) from {@code size} values of {@code x} laid
   * out with the channel as the fastest-varying index. {@code first} is true while the range holds
   * no observation yet (calibration start), so the rule should take the batch range as is. The
   * result must contain 0.
   */
  void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first);

  /**
   * True when {@link #observe} depends on the batch only through its per-channel min and max (each
   * widened to include 0), so a layer that already knows them may pass just those two rows instead
   * of the tensor (one pass less). Default false: the rule always sees the whole tensor.
   */
  default boolean observesMinMaxOnly() {
    return false;
  }

  /** A fixed range [min, max] that is never observed (e.g. softmax output), or null. */
  default float[] fixedRange() {
    return null;
  }
}
