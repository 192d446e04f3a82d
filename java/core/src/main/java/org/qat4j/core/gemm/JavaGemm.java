package org.qat4j.core.gemm;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/** Portable pure-Java sgemm: copies panels to heap arrays and runs an i-k-j kernel split over rows. */
public final class JavaGemm implements Gemm {
  private int threads; // 0 = follow Parallel.threads()

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb,
                    float beta, Tensor c, int cOff, int ldc) {
    if (m == 0 || n == 0) return;
    float[] bm = new float[k * n];
    FloatBuffer bb = b.buffer();
    for (int p = 0; p < k; p++) {
      for (int j = 0; j < n; j++) bm[p * n + j] = transB ? bb.get(bOff + j * ldb + p) : bb.get(bOff + p * ldb + j);
    }
    FloatBuffer ab = a.buffer();
    FloatBuffer cb = c.buffer();
    Parallel.forRange(m, threads > 0 ? threads : Parallel.threads(), (lo, hi) -> {
      float[] row = new float[n];
      float[] arow = new float[k];
      for (int i = lo; i < hi; i++) {
        for (int p = 0; p < k; p++) arow[p] = transA ? ab.get(aOff + p * lda + i) : ab.get(aOff + i * lda + p);
        java.util.Arrays.fill(row, 0f);
        for (int p = 0; p < k; p++) {
          float av = arow[p];
          if (av == 0f) continue;
          int base = p * n;
          for (int j = 0; j < n; j++) row[j] += av * bm[base + j];
        }
        int co = cOff + i * ldc;
        for (int j = 0; j < n; j++) {
          float old = beta == 0f ? 0f : beta * cb.get(co + j);
          cb.put(co + j, old + alpha * row[j]);
        }
      }
    });
  }

  @Override public String name() { return "java"; }

  @Override public void setThreads(int threads) { this.threads = Math.max(1, threads); }
}
