package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Reductions shared by layers (column sums for bias gradients). Parallel over contiguous row
 * chunks; per-chunk partial sums are combined in chunk order, so results depend only on the thread
 * count.
 */
public final class Reductions {
  private static final int BLOCK = 4096;

  private Reductions() {}

  /** out[j] = Σ_i g[i, j] for a [rows, cols] view of {@code g}; overwrites {@code out}. */
  public static void sumRows(Tensor g, int rows, int cols, Tensor out) {
    FloatBuffer gb = g.buffer();
    int chunks = Parallel.chunks(rows);
    double[][] part = new double[chunks][cols];
    Parallel.forRange(
        rows,
        chunks,
        (lo, hi) -> {
          double[] acc = part[Parallel.chunkOf(lo, rows, chunks)];
          int step = Math.max(1, BLOCK / cols);
          float[] blk = new float[step * cols], f = new float[cols];
          for (int r0 = lo; r0 < hi; r0 += step) {
            int len = Math.min(step, hi - r0) * cols;
            gb.get(r0 * cols, blk, 0, len);
            // Float partials per block (vectorizable), flushed to double per block.
            java.util.Arrays.fill(f, 0f);
            for (int r = 0; r < len; r += cols) for (int j = 0; j < cols; j++) f[j] += blk[r + j];
            for (int j = 0; j < cols; j++) acc[j] += f[j];
          }
        });
    FloatBuffer ob = out.buffer();
    for (int j = 0; j < cols; j++) {
      double s = 0;
      for (double[] p : part) s += p[j];
      ob.put(j, (float) s);
    }
  }
}
