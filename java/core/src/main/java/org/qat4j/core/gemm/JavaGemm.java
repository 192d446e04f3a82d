package org.qat4j.core.gemm;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Portable pure-Java sgemm: op(B) is copied once to a heap [k, n] panel, rows of C are produced by
 * vectorizable axpy loops over n, and every transfer from and to native memory is a bulk copy.
 * Split over rows of C on {@link Parallel} (each element computed by one thread: deterministic).
 */
public final class JavaGemm implements Gemm {
  private static final int ROWS = 4;
  private int threads; // 0 = follow Parallel.threads()

  @Override
  public void sgemm(
      boolean transA,
      boolean transB,
      int m,
      int n,
      int k,
      float alpha,
      Tensor a,
      int aOff,
      int lda,
      Tensor b,
      int bOff,
      int ldb,
      float beta,
      Tensor c,
      int cOff,
      int ldc) {
    if (m == 0 || n == 0) return;
    float[] bm = panel(b.buffer(), bOff, ldb, k, n, transB);
    // op(A) as a heap [m, k] panel when transposed (strided native reads would dominate otherwise).
    float[] at = transA ? panel(a.buffer(), aOff, lda, m, k, true) : null;
    FloatBuffer ab = a.buffer(), cb = c.buffer();
    int t = threads > 0 ? threads : Parallel.threads();
    Parallel.forRange(
        m,
        Parallel.grain(m, (long) m * n * k, 1 << 18) > 1 ? t : 1,
        (lo, hi) -> {
          float[] arows = new float[ROWS * k], rows = new float[ROWS * n], old = new float[n];
          for (int i0 = lo; i0 < hi; i0 += ROWS) {
            int r = Math.min(ROWS, hi - i0);
            if (at != null) System.arraycopy(at, i0 * k, arows, 0, r * k);
            else for (int i = 0; i < r; i++) ab.get(aOff + (i0 + i) * lda, arows, i * k, k);
            Arrays.fill(rows, 0f);
            int i = 0;
            for (; i + 2 <= r; i += 2) accumulateTwoRows(arows, i * k, k, bm, n, rows, i * n);
            if (i < r) accumulateRow(arows, i * k, k, bm, n, rows, i * n);
            for (i = 0; i < r; i++)
              store(cb, cOff + (i0 + i) * ldc, rows, i * n, n, alpha, beta, old);
          }
        });
  }

  /**
   * Two output rows (A rows at ai and ai + k, output rows at o and o + n) += A·B[k, n], eight rows
   * of B per pass: each pass loads the two output rows once for 16 multiply-adds per column and
   * each B element once for both rows; C2 vectorizes the j loop (measured: 2.2× the one-row axpy
   * kernel on conv2 of the reference CNN; four rows × four k spilled and was slower).
   */
  private static void accumulateTwoRows(
      float[] a, int ai, int k, float[] b, int n, float[] row, int o) {
    int p = 0, aj = ai + k, o2 = o + n;
    for (; p + 8 <= k; p += 8) {
      float a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
      float a4 = a[ai + p + 4], a5 = a[ai + p + 5], a6 = a[ai + p + 6], a7 = a[ai + p + 7];
      float c0 = a[aj + p], c1 = a[aj + p + 1], c2 = a[aj + p + 2], c3 = a[aj + p + 3];
      float c4 = a[aj + p + 4], c5 = a[aj + p + 5], c6 = a[aj + p + 6], c7 = a[aj + p + 7];
      int b0 = p * n,
          b1 = b0 + n,
          b2 = b1 + n,
          b3 = b2 + n,
          b4 = b3 + n,
          b5 = b4 + n,
          b6 = b5 + n,
          b7 = b6 + n;
      for (int j = 0; j < n; j++) {
        float x0 = b[b0 + j], x1 = b[b1 + j], x2 = b[b2 + j], x3 = b[b3 + j];
        float x4 = b[b4 + j], x5 = b[b5 + j], x6 = b[b6 + j], x7 = b[b7 + j];
        row[o + j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3 + a4 * x4 + a5 * x5 + a6 * x6 + a7 * x7;
        row[o2 + j] +=
            c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3 + c4 * x4 + c5 * x5 + c6 * x6 + c7 * x7;
      }
    }
    for (; p < k; p++) {
      float av = a[ai + p], cv = a[aj + p];
      for (int j = 0, base = p * n; j < n; j++) {
        row[o + j] += av * b[base + j];
        row[o2 + j] += cv * b[base + j];
      }
    }
  }

  /** One output row: row[o, o+n) += a[ai, ai+k) · B[k, n] (the odd last row of a block). */
  private static void accumulateRow(
      float[] a, int ai, int k, float[] b, int n, float[] row, int o) {
    int p = 0;
    for (; p + 8 <= k; p += 8) {
      float a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
      float a4 = a[ai + p + 4], a5 = a[ai + p + 5], a6 = a[ai + p + 6], a7 = a[ai + p + 7];
      int b0 = p * n,
          b1 = b0 + n,
          b2 = b1 + n,
          b3 = b2 + n,
          b4 = b3 + n,
          b5 = b4 + n,
          b6 = b5 + n,
          b7 = b6 + n;
      for (int j = 0; j < n; j++) {
        row[o + j] +=
            a0 * b[b0 + j]
                + a1 * b[b1 + j]
                + a2 * b[b2 + j]
                + a3 * b[b3 + j]
                + a4 * b[b4 + j]
                + a5 * b[b5 + j]
                + a6 * b[b6 + j]
                + a7 * b[b7 + j];
      }
    }
    for (; p < k; p++) {
      float av = a[ai + p];
      if (av == 0f) continue;
      for (int j = 0, base = p * n; j < n; j++) row[o + j] += av * b[base + j];
    }
  }

  /**
   * op(X) of a row-major matrix as a dense heap [rows, cols] array (X is [cols, rows] when
   * transposed).
   */
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

  private static void store(
      FloatBuffer cb, int off, float[] row, int from, int n, float alpha, float beta, float[] old) {
    if (beta == 0f) {
      for (int j = 0; j < n; j++) row[from + j] *= alpha;
    } else {
      cb.get(off, old, 0, n);
      for (int j = 0; j < n; j++) row[from + j] = beta * old[j] + alpha * row[from + j];
    }
    cb.put(off, row, from, n);
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  public void setThreads(int threads) {
    this.threads = Math.max(1, threads);
  }
}
