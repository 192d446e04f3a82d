package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.ir.internal.Parallel;

/**
 * Runs one large sgemm as {@link Parallel} chunks of C (rows, or columns when C is narrow), each a
 * separate single-threaded GEMM call. Used with OpenBLAS at 1 thread: its own workers busy-wait and
 * oversubscribe a small machine next to the layers' threads. Each element of C is computed by
 * exactly one call, so results do not depend on scheduling. The Java GEMM splits itself.
 */
final class SplitGemm {
  private static final long MIN_WORK = 1L << 21;

  /** C this small with a long K (conv1's dW: 10 × 32 over 43,264) is split over K instead. */
  private static final int MAX_SPLIT_K_C = 4096;

  private SplitGemm() {}

  static void sgemm(
      Gemm g,
      boolean ta,
      boolean tb,
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
    long work = (long) m * n * k;
    int parts = (int) Math.min(Parallel.threads(), Math.max(1, work / MIN_WORK));
    if (parts > 1 && m * n <= MAX_SPLIT_K_C && k >= 1024 * parts && !"java".equals(g.name())) {
      splitK(g, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, parts);
    } else if (parts <= 1 || "java".equals(g.name())) {
      g.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    } else if (m >= n || m >= 64 * parts) {
      Parallel.forRange(
          m,
          parts,
          (lo, hi) ->
              g.sgemm(
                  ta,
                  tb,
                  hi - lo,
                  n,
                  k,
                  alpha,
                  a,
                  aOff + (ta ? lo : lo * lda),
                  lda,
                  b,
                  bOff,
                  ldb,
                  beta,
                  c,
                  cOff + lo * ldc,
                  ldc));
    } else {
      Parallel.forRange(
          n,
          parts,
          (lo, hi) ->
              g.sgemm(
                  ta,
                  tb,
                  m,
                  hi - lo,
                  k,
                  alpha,
                  a,
                  aOff,
                  lda,
                  b,
                  bOff + (tb ? lo * ldb : lo),
                  ldb,
                  beta,
                  c,
                  cOff + lo,
                  ldc));
    }
  }

  /**
   * {@code g} behind {@link #sgemm}: each call split over the layer threads (for serial callers).
   */
  static Gemm over(Gemm g) {
    return new Gemm() {
      @Override
      public void sgemm(
          boolean ta,
          boolean tb,
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
        SplitGemm.sgemm(g, ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      }

      @Override
      public String name() {
        return g.name();
      }

      @Override
      public void setThreads(int threads) {
        g.setThreads(threads);
      }
    };
  }

  /**
   * Splits K: chunk 0 accumulates into C with the caller's β, every other chunk into its own
   * partial C, added to C afterwards in chunk order (deterministic for a thread count). Both
   * threads then pack half of A and B, where a split of C's columns packs all of A on each.
   */
  private static void splitK(
      Gemm g,
      boolean ta,
      boolean tb,
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
      int ldc,
      int parts) {
    Tensor partial = Tensor.zeros(parts, m * n);
    Parallel.forRange(
        k,
        parts,
        (lo, hi) -> {
          int p = Parallel.chunkOf(lo, k, parts);
          int ao = aOff + (ta ? lo * lda : lo), bo = bOff + (tb ? lo : lo * ldb);
          if (p == 0)
            g.sgemm(ta, tb, m, n, hi - lo, alpha, a, ao, lda, b, bo, ldb, beta, c, cOff, ldc);
          else
            g.sgemm(
                ta, tb, m, n, hi - lo, alpha, a, ao, lda, b, bo, ldb, 0f, partial, p * m * n, n);
        });
    FloatBuffer cb = c.buffer(), pb = partial.buffer();
    for (int p = 1; p < parts; p++)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
          int at = cOff + i * ldc + j;
          cb.put(at, cb.get(at) + pb.get(p * m * n + i * n + j));
        }
  }
}
