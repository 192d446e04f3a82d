package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Row-wise epilogues on a [rows, cols] view of native storage, done on heap blocks (bulk transfers,
 * vectorizable loops) in parallel row chunks.
 */
final class Rows {
  private static final int BLOCK = 8192;

  private Rows() {}

  /** y[r, j] = act(y[r, j] + bias[j]) in place; {@code bias} may be null (no bias). */
  static void addBiasActivate(Tensor y, int rows, int cols, float[] bias, Activation act) {
    FloatBuffer yb = y.buffer();
    Parallel.forRange(
        rows,
        Parallel.grain(rows, (long) rows * cols, BLOCK),
        (lo, hi) -> {
          int step = Math.max(1, BLOCK / cols);
          float[] v = new float[Math.min(step, hi - lo) * cols];
          for (int r0 = lo; r0 < hi; r0 += step) {
            int len = Math.min(step, hi - r0) * cols;
            yb.get(r0 * cols, v, 0, len);
            if (bias != null) {
              for (int r = 0; r < len; r += cols)
                for (int j = 0; j < cols; j++) v[r + j] += bias[j];
            }
            act.apply(v, 0, len);
            yb.put(r0 * cols, v, 0, len);
          }
        });
  }
}
