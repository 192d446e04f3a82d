package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.quant.Quantizer;

/** A constant range, never observed: softmax/logistic outputs use scale 1/256, zero point −128. */
public record FixedRangeQuantizer(int numBits, float min, float max) implements Quantizer {
  public FixedRangeQuantizer {
    FakeQuant.checkBits(numBits);
    if (!(min <= 0f && max > 0f))
      throw new IllegalArgumentException(
          "fixed range must contain 0 and be non-empty, got [" + min + ", " + max + "]");
  }

  /** The TFLite int8 SOFTMAX/LOGISTIC output grid: [0, 255/256]. */
  public static FixedRangeQuantizer probabilities() {
    return new FixedRangeQuantizer(8, 0f, 255f / 256f);
  }

  /** The TFLite int8 TANH output grid (1/128, 0): [−1, 127/128]. */
  public static FixedRangeQuantizer tanh() {
    return new FixedRangeQuantizer(8, -1f, 127f / 128f);
  }

  @Override
  public boolean narrowRange() {
    return false;
  }

  @Override
  public boolean symmetric() {
    return false;
  }

  @Override
  public boolean perAxis() {
    return false;
  }

  @Override
  public void observe(FloatBuffer x, int size, float[] mn, float[] mx, boolean first) {}

  @Override
  public float[] fixedRange() {
    return new float[] {min, max};
  }
}
