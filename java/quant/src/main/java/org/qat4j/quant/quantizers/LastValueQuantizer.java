package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.quant.Quantizer;

/**
 * Weights: the range is the current batch's (i.e. the weights') min/max, optionally symmetric and
 * per-axis.
 */
public record LastValueQuantizer(
    int numBits, boolean perAxis, boolean symmetric, boolean narrowRange) implements Quantizer {
  public LastValueQuantizer {
    FakeQuant.checkBits(numBits);
  }

  /** The TFLite int8 weight rule: 8 bits, symmetric, narrow range. */
  public static LastValueQuantizer int8Weights(boolean perAxis) {
    return new LastValueQuantizer(8, perAxis, true, true);
  }

  @Override
  public boolean observesMinMaxOnly() {
    return true;
  }

  @Override
  public void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first) {
    Ranges.batchMinMax(x, size, min, max);
    if (symmetric) Ranges.symmetric(min, max, numBits, narrowRange);
  }
}
