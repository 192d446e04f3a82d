package org.qat4j.quant.quantizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

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

  /**
   * The per-tensor range (lane accumulators in parallel blocks) against a running min/max from 0,
   * bit for bit: sizes with partial blocks, at 1 and 2 threads, all-positive, all-negative, only
   * ±0, and a NaN (the range is NaN); on the plain path and on the Vector API.
   */
  @Test
  void perTensorMinMaxMatchesTheRunningReference() {
    SplittableRandom r = new SplittableRandom(10);
    int before = Parallel.threads();
    boolean vectorBefore = VectorApi.on();
    try {
      for (int path = 0; path < 4; path++) {
        VectorApi.use(path >= 2);
        perTensorMinMax(r, 1 + path % 2);
      }
    } finally {
      Parallel.setThreads(before);
      VectorApi.use(vectorBefore);
    }
  }

  private static void perTensorMinMax(SplittableRandom r, int threads) {
    for (int size : new int[] {1, 100, 4096, 4097, 50_000, 205_001})
      for (int kind = 0; kind < 5; kind++) {
        Parallel.setThreads(threads);
        Tensor x = Tensor.zeros(size);
        for (int i = 0; i < size; i++) {
          float v = (float) (r.nextDouble() * 4 - 2);
          x.set(i, kind == 0 ? Math.abs(v) : kind == 1 ? -Math.abs(v) : kind == 2 ? -0f : v);
        }
        if (kind == 4) x.set(size / 2, Float.NaN);
        float lo = 0f, hi = 0f;
        for (int i = 0; i < size; i++) {
          lo = Math.min(lo, x.get(i));
          hi = Math.max(hi, x.get(i));
        }
        float[] got = Ranges.tensorMinMax(x.buffer(), size);
        String at = "size=" + size + " kind=" + kind + " threads=" + threads + " " + VectorApi.on();
        assertEquals(Float.floatToIntBits(lo), Float.floatToIntBits(got[0]), "min " + at);
        assertEquals(Float.floatToIntBits(hi), Float.floatToIntBits(got[1]), "max " + at);
      }
  }
}
