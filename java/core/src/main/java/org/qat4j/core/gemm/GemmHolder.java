package org.qat4j.core.gemm;

/** Lazily picks the default GEMM, recording why OpenBLAS is unavailable instead of throwing. */
final class GemmHolder {
  static String unavailableReason = "";
  static final Gemm DEFAULT = choose();

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
    // OpenBLAS runs single-threaded under our own splitting (see Parallel.setThreads).
    if (g instanceof OpenBlasGemm) g.setThreads(1);
    return g;
  }
}
