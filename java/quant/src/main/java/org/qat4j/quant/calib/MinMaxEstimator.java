package org.qat4j.quant.calib;

import java.nio.FloatBuffer;

/** The range is the min/max over all calibration values (TFLite converter's default). */
public final class MinMaxEstimator implements RangeEstimator {
  @Override
  public Accumulator newAccumulator(int numBits) {
    return new Accumulator() {
      float lo = 0f, hi = 0f;

      @Override
      public void accept(FloatBuffer x, int size) {
        for (int i = 0; i < size; i++) {
          float v = x.get(i);
          if (v < lo) lo = v;
          else if (v > hi) hi = v;
        }
      }

      @Override
      public float[] range() {
        return new float[] {lo, hi};
      }
    };
  }

  @Override
  public String toString() {
    return "MinMax";
  }
}
