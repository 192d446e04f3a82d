package org.qat4j.quant.calib;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A bounded, deterministic sample of a tensor's values (stride subsampling) plus the exact
 * extremes.
 */
final class Samples {
  private final int capacity;
  private float[] data = new float[1024];
  private int n;
  private long seen;
  float lo = 0f;
  float hi = 0f;

  Samples(int capacity) {
    this.capacity = capacity;
  }

  void accept(FloatBuffer x, int size) {
    // Keep about `capacity` values overall: sample every k-th value once the buffer is full.
    int stride = (int) Math.max(1, (seen + size) / capacity);
    for (int i = 0; i < size; i++) {
      float v = x.get(i);
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
      if (i % stride != 0) continue;
      if (n == data.length) {
        if (n >= capacity) {
          decimate();
          continue;
        }
        data = Arrays.copyOf(data, Math.min(capacity, n * 2));
      }
      data[n++] = v;
    }
    seen += size;
  }

  private void decimate() {
    int m = 0;
    for (int i = 0; i < n; i += 2) data[m++] = data[i];
    n = m;
  }

  float[] sorted() {
    float[] s = Arrays.copyOf(data, n);
    Arrays.sort(s);
    return s;
  }
}
