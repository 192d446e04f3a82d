package org.qat4j.quant.calib;

import java.nio.FloatBuffer;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * MSE-optimal clipping: scans ranges shrunk from the min/max by factors 1, 0.99, … 0.3 (both ends
 * together) and keeps the one with the smallest fake-quant squared error on the sampled values.
 */
public final class MseEstimator implements RangeEstimator {
  private final int samples;

  public MseEstimator() {
    this(1 << 16);
  }

  public MseEstimator(int samples) {
    this.samples = samples;
  }

  @Override
  public Accumulator newAccumulator(int numBits) {
    Samples s = new Samples(samples);
    return new Accumulator() {
      @Override
      public void accept(FloatBuffer x, int size) {
        s.accept(x, size);
      }

      @Override
      public float[] range() {
        float[] v = s.sorted();
        float lo = s.lo, hi = s.hi;
        if (lo == 0f && hi == 0f) return new float[] {0f, 0f};
        float[] best = {lo, hi};
        double bestErr = Double.MAX_VALUE;
        for (int k = 0; k <= 70; k++) {
          float f = 1f - 0.01f * k;
          float mn = lo * f, mx = hi * f;
          if (mn == mx) continue;
          FakeQuant.Nudged n = FakeQuant.nudge(mn, mx, numBits, false);
          double err = 0;
          for (float x : v) {
            double d = FakeQuant.quantizeVars(x, n) - x;
            err += d * d;
          }
          if (err < bestErr) {
            bestErr = err;
            best = new float[] {mn, mx};
          }
        }
        return best;
      }
    };
  }

  @Override
  public String toString() {
    return "MSE";
  }
}
