package org.qat4j.quant.quantizers;

import java.nio.FloatBuffer;

/** Batch range helpers shared by the built-in quantizers: per-channel min/max including 0. */
public final class Ranges {
  private Ranges() {}

  /** Per-channel (channels = min.length) batch min/max of {@code size} values, widened to include 0. */
  public static void batchMinMax(FloatBuffer x, int size, float[] min, float[] max) {
    int c = min.length;
    java.util.Arrays.fill(min, 0f);
    java.util.Arrays.fill(max, 0f);
    if (c == 1) {
      float lo = 0f, hi = 0f;
      for (int i = 0; i < size; i++) {
        float v = x.get(i);
        if (v < lo) lo = v; else if (v > hi) hi = v;
      }
      min[0] = lo;
      max[0] = hi;
      return;
    }
    for (int i = 0; i < size; i++) {
      int ch = i % c;
      float v = x.get(i);
      if (v < min[ch]) min[ch] = v; else if (v > max[ch]) max[ch] = v;
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
