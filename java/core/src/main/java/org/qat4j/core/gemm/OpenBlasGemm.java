package org.qat4j.core.gemm;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.qat4j.core.Tensor;

/** OpenBLAS sgemm through JavaCPP on the tensors' native storage (no copies). */
public final class OpenBlasGemm implements Gemm {
  public OpenBlasGemm() {
    Loader.load(openblas_nolapack.class);
  }

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
    openblas_nolapack.cblas_sgemm(
        CblasRowMajor,
        transA ? CblasTrans : CblasNoTrans,
        transB ? CblasTrans : CblasNoTrans,
        m,
        n,
        k,
        alpha,
        at(a, aOff),
        lda,
        at(b, bOff),
        ldb,
        beta,
        at(c, cOff),
        ldc);
  }

  private static FloatPointer at(Tensor t, int off) {
    FloatPointer p = t.pointer();
    return off == 0 ? p : p.getPointer(off);
  }

  @Override
  public String name() {
    return "openblas";
  }

  @Override
  public void setThreads(int threads) {
    openblas_nolapack.blas_set_num_threads(threads);
  }
}
