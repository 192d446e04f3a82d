package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/** Batch range helpers shared by the built-in quantizers: per-channel min/max including 0. */
public final class Ranges {
  private Ranges() {}

  /**
   * Per-channel (channels = min.length) batch min/max of {@code size} values, widened to include 0.
   */
  public static void batchMinMax(FloatBuffer x, int size, float[] min, float[] max) {
    int c = min.length;
    java.util.Arrays.fill(min, 0f);
    java.util.Arrays.fill(max, 0f);
    if (c == 1) {
      float[] r = tensorMinMax(x, size);
      min[0] = r[0];
      max[0] = r[1];
      return;
    }
    // Whole rows per block, lane accumulators (flat loops C2 vectorizes), folded per channel.
    int width = c * Math.max(1, Math.min(BLOCK / c, size / c));
    float[] v = new float[width], lo = new float[width], hi = new float[width];
    for (int off = 0; off < size; off += width) {
      int len = Math.min(width, size - off);
      x.get(off, v, 0, len);
      for (int i = 0; i < len; i++) lo[i] = Math.min(lo[i], v[i]);
      for (int i = 0; i < len; i++) hi[i] = Math.max(hi[i], v[i]);
    }
    for (int i = 0; i < width; i++) {
      min[i % c] = Math.min(min[i % c], lo[i]);
      max[i % c] = Math.max(max[i % c], hi[i]);
    }
    for (int ch = 0; ch < c; ch++) {
      min[ch] += 0f; // −0 → +0: the range ends are 0 where no value is below (above) it
      max[ch] += 0f;
    }
  }

  /**
   * Per-tensor {min, max} of {@code size} values (widened to include 0), then {@link #symmetric}
   * when asked.
   */
  static float[] batchRange(FloatBuffer x, int size, int bits, boolean symmetric, boolean narrow) {
    float[] bmin = new float[1], bmax = new float[1];
    batchMinMax(x, size, bmin, bmax);
    if (symmetric) symmetric(bmin, bmax, bits, narrow);
    return new float[] {bmin[0], bmax[0]};
  }

  private static final int BLOCK = 4096;

  /**
   * {min(0, min x), max(0, max x)} over {@code size} values, in parallel heap blocks (on the Vector
   * API, with the lanes in registers).
   */
  static float[] tensorMinMax(FloatBuffer x, int size) {
    int blocks = (size + BLOCK - 1) / BLOCK, chunks = org.qat4j.ir.internal.Parallel.chunks(blocks);
    float[] lo = new float[chunks], hi = new float[chunks];
    org.qat4j.ir.internal.Parallel.forRange(
        blocks,
        chunks,
        (b0, b1) -> {
          float[] acc = new float[2];
          if (VectorApi.on()) {
            float[] v = new float[Math.min(BLOCK, size)];
            for (int b = b0; b < b1; b++) {
              int off = b * BLOCK, len = Math.min(BLOCK, size - off);
              x.get(off, v, 0, len);
              FakeQuantVector.minMax(v, len, acc);
            }
          } else {
            blockMinMax(x, size, b0, b1, acc);
          }
          int k = Parallel.chunkOf(b0, blocks, chunks);
          lo[k] = acc[0];
          hi[k] = acc[1];
        });
    float l = 0f, h = 0f;
    for (int k = 0; k < chunks; k++) {
      l = Math.min(l, lo[k]);
      h = Math.max(h, hi[k]);
    }
    return new float[] {l, h};
  }

  /** acc = {min(0, x), max(0, x)} over blocks [b0, b1) on the plain path. */
  private static void blockMinMax(FloatBuffer x, int size, int b0, int b1, float[] acc) {
    // Lane accumulators keep the loops flat (C2 vectorizes them; a running min is a scalar
    // chain). Math.min/max give the same bits in any order, NaN and ±0 included.
    int width = Math.min(BLOCK, size);
    float[] v = new float[width], l = new float[width], h = new float[width];
    for (int b = b0; b < b1; b++) {
      int off = b * BLOCK, len = Math.min(BLOCK, size - off);
      x.get(off, v, 0, len);
      for (int i = 0; i < len; i++) l[i] = Math.min(l[i], v[i]);
      for (int i = 0; i < len; i++) h[i] = Math.max(h[i], v[i]);
    }
    for (int i = 0; i < width; i++) {
      acc[0] = Math.min(acc[0], l[i]);
      acc[1] = Math.max(acc[1], h[i]);
    }
  }

  /** TFMOT's symmetric widening: r = −1 for narrow range, −(2^b − 2)/2^b otherwise. */
  public static void symmetric(float[] min, float[] max, int bits, boolean narrow) {
    float r = narrow ? -1f : -((float) ((1 << bits) - 2) / (1 << bits));
    for (int i = 0; i < min.length; i++) {
      float lo = min[i], hi = max[i];
      min[i] = Math.min(lo, hi / r);
      max[i] = Math.max(hi, lo * r);
    }
  }
}
