package org.qat4j.core.gemm;

import org.qat4j.core.Tensor;

/**
 * Row-major single-precision matrix multiply {@code C = alpha·op(A)·op(B) + beta·C} on tensor
 * storage with element offsets and leading dimensions, as in CBLAS.
 */
public interface Gemm {
  void sgemm(
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
      int ldc);

  /** Short name for reports ("openblas" or "java"). */
  String name();

  /** Sets the number of threads the implementation may use. */
  void setThreads(int threads);

  /**
   * The process-wide default: OpenBLAS when it loads, else pure Java; {@code -Dqat4j.gemm=java}
   * forces Java.
   */
  static Gemm get() {
    return GemmHolder.DEFAULT;
  }

  /** Empty when the OpenBLAS fast path is in use, else why it is not ("unavailable because …"). */
  static String fastPathUnavailableReason() {
    get();
    return GemmHolder.unavailableReason;
  }
}
