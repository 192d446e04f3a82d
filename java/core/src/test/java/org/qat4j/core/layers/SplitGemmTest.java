package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.gemm.JavaGemm;
import org.qat4j.ir.internal.Parallel;

class SplitGemmTest {
  /**
   * Shapes big enough to split: tall C (row split), narrow-M C (column split) and a small C with a
   * long K (K split, like conv1's dW).
   */
  @Test
  void splitMatchesSingleCallForAllTransposes() {
    int threads = Parallel.threads();
    Parallel.setThreads(Math.max(2, threads));
    Gemm.get().setThreads(1); // the configuration SplitGemm is meant for
    try {
      check(2200, 40, 50);
      check(9, 700, 700);
      check(10, 32, 20_000); // small C, long K: split over K (conv1's dW)
    } finally {
      Parallel.setThreads(threads);
    }
  }

  private static void check(int m, int n, int k) {
    Gemm fast = Gemm.get();
    JavaGemm ref = new JavaGemm();
    for (int t = 0; t < 4; t++) {
      boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
      Tensor a = Checks.random(1, m * k), b = Checks.random(2, k * n);
      Tensor c = Checks.random(3, m * n), want = c.copy();
      int lda = ta ? m : k, ldb = tb ? k : n;
      SplitGemm.sgemm(fast, ta, tb, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2f, c, 0, n);
      ref.sgemm(ta, tb, m, n, k, 0.5f, a, 0, lda, b, 0, ldb, 2f, want, 0, n);
      float[] x = want.toArray(), y = c.toArray();
      for (int i = 0; i < x.length; i++) {
        assertTrue(
            Math.abs(x[i] - y[i]) < 1e-3f * Math.max(1f, Math.abs(x[i])),
            "m" + m + " n" + n + " k" + k + " ta=" + ta + " tb=" + tb + " at " + i + ": " + x[i]
                + " vs " + y[i]);
      }
    }
  }

  /**
   * The Java GEMM against OpenBLAS on sub-matrices: offsets and leading dimensions wider than the
   * rows.
   */
  @Test
  void javaGemmMatchesOpenBlasOnStridedSubMatrices() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Gemm.fastPathUnavailableReason().isEmpty(), Gemm.fastPathUnavailableReason());
    int m = 37, n = 19, k = 23, off = 5, pad = 3;
    for (int t = 0; t < 4; t++) {
      boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
      int lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
      Tensor a = Checks.random(4, off + (ta ? k : m) * lda),
          b = Checks.random(5, off + (tb ? n : k) * ldb);
      Tensor c = Checks.random(6, off + m * ldc), want = c.copy();
      new JavaGemm().sgemm(ta, tb, m, n, k, 1.5f, a, off, lda, b, off, ldb, -0.5f, c, off, ldc);
      Gemm.get().sgemm(ta, tb, m, n, k, 1.5f, a, off, lda, b, off, ldb, -0.5f, want, off, ldc);
      float[] x = want.toArray(), y = c.toArray();
      for (int i = 0; i < x.length; i++) {
        assertTrue(
            Math.abs(x[i] - y[i]) < 1e-4f * Math.max(1f, Math.abs(x[i])),
            "ta=" + ta + " tb=" + tb + " at " + i + ": " + x[i] + " vs " + y[i]);
      }
    }
  }

  /**
   * Kernel edge cases: k around the 8-wide unroll, odd row counts, A with zero runs (after ReLU).
   */
  @Test
  void javaGemmMatchesOpenBlasAcrossUnrollEdges() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Gemm.fastPathUnavailableReason().isEmpty(), Gemm.fastPathUnavailableReason());
    for (int m : new int[] {1, 2, 3, 5, 9}) {
      for (int k : new int[] {1, 7, 8, 9, 16, 17}) {
        for (int n : new int[] {1, 33}) {
          Tensor a = Checks.random(m * 31 + k, m * k), b = Checks.random(n + k, k * n);
          for (int i = 0; i < a.size(); i += 3) a.set(i, 0f);
          Tensor c = Tensor.zeros(m * n), want = Tensor.zeros(m * n);
          new JavaGemm().sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
          Gemm.get().sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, want, 0, n);
          for (int i = 0; i < m * n; i++) {
            assertTrue(
                Math.abs(want.get(i) - c.get(i)) < 1e-4f * Math.max(1f, Math.abs(want.get(i))),
                "m="
                    + m
                    + " k="
                    + k
                    + " n="
                    + n
                    + " at "
                    + i
                    + ": "
                    + want.get(i)
                    + " vs "
                    + c.get(i));
          }
        }
      }
    }
  }
}
