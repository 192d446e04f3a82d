package org.qat4j.runtime.parity;

import java.util.SplittableRandom;
import org.qat4j.core.Tensor;

/** Random calibration data. */
final class GraphData {
  private GraphData() {}

  static Tensor uniform(SplittableRandom r, int n, int h, int w, int c, float lo, float hi) {
    float[] v = new float[n * h * w * c];
    for (int i = 0; i < v.length; i++) v[i] = lo + (hi - lo) * (float) r.nextDouble();
    return Tensor.of(v, n, h, w, c);
  }
}
