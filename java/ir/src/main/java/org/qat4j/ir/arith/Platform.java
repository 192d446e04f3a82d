package org.qat4j.ir.arith;

import java.util.Locale;

/**
 * The CPU family whose TFLite builtin kernels the simulator mirrors. TFLite 2.20's optimized
 * kernels round a few requantizations differently on ARM NEON than on x86-64 (quantization.md §6,
 * docs/RUNTIME.md "linux-arm64"); the integer recipe is otherwise the same.
 */
public enum Platform {
  /** x86-64: int8 GEMMs on ruy, everything else scalar (gemmlowp rounding). */
  X86_64,
  /**
   * arm64 (AArch64 NEON): int8 GEMMs on gemmlowp, NEON matrix·vector, depthwise and requantize
   * paths that break ties upward, fused multiply-add in DEQUANTIZE.
   */
  ARM64;

  /** The platform of this JVM, from {@code os.arch}. */
  public static Platform host() {
    return of(System.getProperty("os.arch", ""));
  }

  /** {@code aarch64}/{@code arm64} → ARM64; anything else → X86_64 (TFLite's generic paths). */
  public static Platform of(String osArch) {
    String a = osArch.toLowerCase(Locale.ROOT);
    return a.equals("aarch64") || a.equals("arm64") ? ARM64 : X86_64;
  }
}
