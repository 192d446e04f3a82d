package org.qat4j.core.gemm;

/** Lazily picks the default GEMM, recording why OpenBLAS is unavailable instead of throwing. */
final class GemmHolder {
  static final Gemm DEFAULT = choose();
  static String unavailableReason = "";

  private GemmHolder() {}

  private static Gemm choose() {
    Gemm g;
    if ("java".equals(System.getProperty("qat4j.gemm"))) {
      unavailableReason = "disabled by -Dqat4j.gemm=java";
      g = new JavaGemm();
    } else {
      try {
        g = new OpenBlasGemm();
      } catch (Throwable t) {
        unavailableReason = "OpenBLAS unavailable because " + t;
        g = new JavaGemm();
      }
    }
    g.setThreads(org.qat4j.core.internal.Parallel.threads());
    return g;
  }
}
