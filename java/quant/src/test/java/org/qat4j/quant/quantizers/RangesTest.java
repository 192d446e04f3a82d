package org.qat4j.quant.quantizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

class RangesTest {
  /**
   * Per-channel batch ranges (the blocked lane loops) against a per-element reference, widened to
   * include +0: channels that are all positive, all negative, only ±0, or mixed, for channel counts
   * that do and do not divide the block.
   */
  @Test
  void perChannelMinMaxIncludesZeroAndMatchesTheReference() {
    SplittableRandom r = new SplittableRandom(9);
    for (int c : new int[] {2, 3, 32, 128, 5000}) {
      int rows = 9000 / c + 3, size = rows * c;
      Tensor x = Tensor.zeros(size);
      for (int i = 0; i < size; i++) {
        int ch = i % c;
        float v = (float) (r.nextDouble() * 4 - 2);
        x.set(
            i,
            ch % 4 == 0
                ? Math.abs(v) + 0.1f
                : ch % 4 == 1 ? -Math.abs(v) - 0.1f : ch % 4 == 2 ? -0f : v);
      }
      float[] min = new float[c], max = new float[c];
      Ranges.batchMinMax(x.buffer(), size, min, max);
      for (int ch = 0; ch < c; ch++) {
        float lo = 0f, hi = 0f;
        for (int row = 0; row < rows; row++) {
          float v = x.get(row * c + ch);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        assertEquals(Float.floatToIntBits(lo), Float.floatToIntBits(min[ch]), "min c=" + c);
        assertEquals(Float.floatToIntBits(hi), Float.floatToIntBits(max[ch]), "max c=" + c);
      }
    }
  }
}
