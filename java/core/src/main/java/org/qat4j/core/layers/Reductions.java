package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * Reductions shared by layers (column sums for bias gradients). Parallel over contiguous row
 * chunks; per-chunk partial sums are combined in chunk order, so results depend only on the
 * thread count.
 */
public final class Reductions {
  private Reductions() {}

  /** out[j] = Σ_i g[i, j] for a [rows, cols] view of {@code g}; overwrites {@code out}. */
  public static void sumRows(Tensor g, int rows, int cols, Tensor out) {
    FloatBuffer gb = g.buffer();
    int chunks = Parallel.chunks(rows);
    double[][] part = new double[chunks][cols];
    Parallel.forRange(rows, chunks, (lo, hi) -> {
      double[] acc = part[chunkOf(lo, rows, chunks)];
      float[] row = new float[cols];
      for (int i = lo; i < hi; i++) {
        gb.get(i * cols, row);
        for (int j = 0; j < cols; j++) acc[j] += row[j];
      }
    });
    FloatBuffer ob = out.buffer();
    for (int j = 0; j < cols; j++) {
      double s = 0;
      for (double[] p : part) s += p[j];
      ob.put(j, (float) s);
    }
  }

  /** Index of the {@link Parallel#forRange} chunk that starts at {@code lo}. */
  static int chunkOf(int lo, int n, int chunks) {
    for (int c = 0; c < chunks; c++) if ((int) ((long) c * n / chunks) == lo) return c;
    throw new IllegalStateException("no chunk starts at " + lo);
  }
}
