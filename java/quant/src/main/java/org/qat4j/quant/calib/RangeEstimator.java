package org.qat4j.quant.calib;

import java.nio.FloatBuffer;

/** Picks an activation range from calibration data (post-training quantization and QAT init). */
public interface RangeEstimator {
  /** Collects the values one tensor takes over the calibration batches. */
  interface Accumulator {
    void accept(FloatBuffer x, int size);

    /** {min, max}, containing 0. */
    float[] range();
  }

  Accumulator newAccumulator(int numBits);
}
