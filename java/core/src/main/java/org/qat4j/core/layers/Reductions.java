package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;

/** Reductions shared by layers (column sums for bias gradients). */
public final class Reductions {
  private Reductions() {}

  /** out[j] = Σ_i g[i, j] for a [rows, cols] view of {@code g}; overwrites {@code out}. */
  public static void sumRows(Tensor g, int rows, int cols, Tensor out) {
    FloatBuffer gb = g.buffer();
    double[] acc = new double[cols];
    for (int i = 0; i < rows; i++) {
      int o = i * cols;
      for (int j = 0; j < cols; j++) acc[j] += gb.get(o + j);
    }
    FloatBuffer ob = out.buffer();
    for (int j = 0; j < cols; j++) ob.put(j, (float) acc[j]);
  }
}
