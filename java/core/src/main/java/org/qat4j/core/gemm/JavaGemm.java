package org.qat4j.core.gemm;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * Portable pure-Java sgemm: op(B) is copied once to a heap [k, n] panel, rows of C are produced
 * by vectorizable axpy loops over n, and every transfer from and to native memory is a bulk copy.
 * Split over rows of C on {@link Parallel} (each element computed by one thread: deterministic).
 */
public final class JavaGemm implements Gemm {
  private static final int ROWS = 4;
  private int threads; // 0 = follow Parallel.threads()

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb,
                    float beta, Tensor c, int cOff, int ldc) {
    if (m == 0 || n == 0) return;
    float[] bm = panel(b.buffer(), bOff, ldb, k, n, transB);
    // op(A) as a heap [m, k] panel when transposed (strided native reads would dominate otherwise).
    float[] at = transA ? panel(a.buffer(), aOff, lda, m, k, true) : null;
    FloatBuffer ab = a.buffer(), cb = c.buffer();
    int t = threads > 0 ? threads : Parallel.threads();
    Parallel.forRange(m, Parallel.grain(m, (long) m * n * k, 1 << 18) > 1 ? t : 1, (lo, hi) -> {
      float[] arows = new float[ROWS * k], rows = new float[ROWS * n], old = new float[n];
      for (int i0 = lo; i0 < hi; i0 += ROWS) {
        int r = Math.min(ROWS, hi - i0);
        if (at != null) System.arraycopy(at, i0 * k, arows, 0, r * k);
        else for (int i = 0; i < r; i++) ab.get(aOff + (i0 + i) * lda, arows, i * k, k);
        Arrays.fill(rows, 0f);
        for (int p = 0; p < k; p++) {
          int base = p * n;
          for (int i = 0; i < r; i++) {
            float av = arows[i * k + p];
            if (av == 0f) continue;
            for (int j = 0, o = i * n; j < n; j++) rows[o + j] += av * bm[base + j];
          }
        }
        for (int i = 0; i < r; i++) store(cb, cOff + (i0 + i) * ldc, rows, i * n, n, alpha, beta, old);
      }
    });
  }

  /** op(X) of a row-major matrix as a dense heap [rows, cols] array (X is [cols, rows] when transposed). */
  private static float[] panel(FloatBuffer x, int off, int ld, int rows, int cols, boolean trans) {
    float[] out = new float[rows * cols];
    if (!trans) {
      for (int p = 0; p < rows; p++) x.get(off + p * ld, out, p * cols, cols);
      return out;
    }
    float[] line = new float[rows];
    for (int j = 0; j < cols; j++) {
      x.get(off + j * ld, line, 0, rows);
      for (int p = 0; p < rows; p++) out[p * cols + j] = line[p];
    }
    return out;
  }

  private static void store(FloatBuffer cb, int off, float[] row, int from, int n, float alpha, float beta, float[] old) {
    if (beta == 0f) {
      for (int j = 0; j < n; j++) row[from + j] *= alpha;
    } else {
      cb.get(off, old, 0, n);
      for (int j = 0; j < n; j++) row[from + j] = beta * old[j] + alpha * row[from + j];
    }
    cb.put(off, row, from, n);
  }

  @Override public String name() { return "java"; }

  @Override public void setThreads(int threads) { this.threads = Math.max(1, threads); }
}
