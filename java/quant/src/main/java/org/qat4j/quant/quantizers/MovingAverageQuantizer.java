package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.quant.Quantizer;

/**
 * Activations: exponential moving average of batch min/max (per-tensor, asymmetric by default). The
 * first observation sets the range directly (calibration start instead of TFMOT's ±6).
 */
public record MovingAverageQuantizer(
    int numBits, boolean symmetric, boolean narrowRange, float decay) implements Quantizer {
  /** Default decay: 0.99 (PyTorch's averaging constant 0.01); TFMOT uses 0.999. */
  public static final float DEFAULT_DECAY = 0.99f;

  public MovingAverageQuantizer {
    FakeQuant.checkBits(numBits);
    if (!(decay >= 0f && decay < 1f))
      throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
  }

  /** 8-bit asymmetric activations with the default decay. */
  public static MovingAverageQuantizer int8() {
    return new MovingAverageQuantizer(8, false, false, DEFAULT_DECAY);
  }

  @Override
  public boolean perAxis() {
    return false;
  }

  @Override
  public boolean observesMinMaxOnly() {
    return true;
  }

  @Override
  public void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first) {
    float[] b = Ranges.batchRange(x, size, numBits, symmetric, narrowRange);
    if (first) {
      min[0] = b[0];
      max[0] = b[1];
      return;
    }
    min[0] = min[0] * decay + b[0] * (1f - decay);
    max[0] = max[0] * decay + b[1] * (1f - decay);
  }
}
