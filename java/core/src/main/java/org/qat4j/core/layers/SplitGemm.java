package org.qat4j.core.layers;

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
    if (parts <= 1 || "java".equals(g.name())) {
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
}
