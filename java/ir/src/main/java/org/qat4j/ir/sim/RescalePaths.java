package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.QuantMath;

/**
 * Which fixed-point rescale TFLite 2.20's builtin kernels apply, per platform (DOUBLE mode). The
 * multipliers are the same everywhere; only the rounding of the final shift and the code path that
 * picks it differ (measured against the x86-64 and the arm64 TFLite jars, docs/RUNTIME.md):
 *
 * <ul>
 *   <li>x86-64: int8 CONV_2D/FULLY_CONNECTED on ruy (ties up), everything else gemmlowp's
 *       RoundingDivideByPOT (ties away from zero).
 *   <li>arm64: CONV_2D/FULLY_CONNECTED on gemmlowp (ties away), except a single output column (one
 *       pixel, batch 1) with ≥ 4 channels and depth ≥ 8, which TFLite's NEON matrix·vector path
 *       rounds up; DEPTHWISE_CONV_2D int8 in the 3×3 NEON kernel (ties up) when its shape allows,
 *       otherwise the NEON per-channel Quantize: channels in whole blocks of 8 SRDHM with ties up,
 *       the remaining channels as gemmlowp; int8→int8 QUANTIZE: whole blocks of 16 elements SRDHM
 *       with ties up, the rest as gemmlowp; DEQUANTIZE: whole blocks of 8 elements as one fused
 *       multiply-add q·s + (−zp·s). uint8 DEPTHWISE_CONV_2D keeps x86's rounding (not measured).
 * </ul>
 */
final class RescalePaths {
  private RescalePaths() {}

  /** One rescale rounding. */
  enum Kind {
    /** SRDHM then RoundingDivideByPOT: ties away from zero. */
    GEMMLOWP,
    /** SRDHM (SQRDMULH) then a rounding right shift whose ties go up (ruy, NEON VRSHL). */
    UPWARD;

    int apply(int x, int m, int shift) {
      return switch (this) {
        case GEMMLOWP -> QuantMath.mbqmDouble(x, m, shift);
        case UPWARD -> QuantMath.mbqmRuy(x, m, shift);
      };
    }
  }

  /**
   * Per-output-channel rounding of a weighted op. {@code geo} is null for FULLY_CONNECTED, whose
   * {@code rows} (batch) and {@code depth} (accumulation length) are given instead.
   */
  static Kind[] weighted(
      OpKind kind, DType input, Geometry geo, int rows, int depth, int channels, Platform p) {
    Kind[] k = new Kind[channels];
    switch (p) {
      case X86_64 ->
          Arrays.fill(
              k,
              kind != OpKind.DEPTHWISE_CONV_2D && input == DType.INT8
                  ? Kind.UPWARD
                  : Kind.GEMMLOWP);
      case ARM64 -> {
        if (kind == OpKind.DEPTHWISE_CONV_2D) depthwiseArm64(k, input, geo);
        else Arrays.fill(k, gemv(kind, geo, rows, depth, channels) ? Kind.UPWARD : Kind.GEMMLOWP);
      }
    }
    return k;
  }

  /** cpu_backend_gemm's custom NEON GEMV: one destination column, ≥ 4 rows, ≥ 8 deep. */
  private static boolean gemv(OpKind kind, Geometry geo, int rows, int depth, int channels) {
    int cols = kind == OpKind.FULLY_CONNECTED ? rows : geo.batch() * geo.outH() * geo.outW();
    int k = kind == OpKind.FULLY_CONNECTED ? depth : geo.kh() * geo.kw() * geo.inC();
    return cols == 1 && channels >= 4 && k >= 8;
  }

  private static void depthwiseArm64(Kind[] k, DType input, Geometry geo) {
    if (input != DType.INT8) {
      Arrays.fill(k, Kind.GEMMLOWP); // uint8 depthwise on arm64: not measured, x86's rounding
    } else if (fast3x3(geo)) {
      Arrays.fill(k, Kind.UPWARD);
    } else {
      int blocks = k.length / 8 * 8;
      for (int c = 0; c < k.length; c++) k[c] = c < blocks ? Kind.UPWARD : Kind.GEMMLOWP;
    }
  }

  /**
   * TRANSPOSE_CONV's final rescale (optimized_ops::Quantize after col2im): gemmlowp rounding on
   * x86; on arm64 int8 whole blocks of 8 channels in NEON (ties up), as DEPTHWISE_CONV_2D's
   * per-channel path (not measured for this operator).
   */
  static Kind[] transposed(DType input, int channels, Platform p) {
    Kind[] k = new Kind[channels];
    int blocks = p == Platform.ARM64 && input == DType.INT8 ? channels / 8 * 8 : 0;
    for (int c = 0; c < channels; c++) k[c] = c < blocks ? Kind.UPWARD : Kind.GEMMLOWP;
    return k;
  }

  /** Fast3x3FilterKernelSupported for per-channel int8 (depth multiplier 1 implied by outC). */
  static boolean fast3x3(Geometry g) {
    boolean ok =
        g.kh() == 3
            && g.kw() == 3
            && g.outC() == g.inC()
            && (g.strideW() == 1 || g.strideW() == 2)
            && g.strideW() == g.strideH()
            && g.padL() <= 1
            && g.padL() == g.padT()
            && g.inC() % 8 == 0
            && g.dilH() == 1
            && g.dilW() == 1;
    if (!ok) return false;
    int xEnd = (g.outW() - 1) * g.strideW() - g.padL() + 3;
    int yEnd = (g.outH() - 1) * g.strideH() - g.padT() + 3;
    if (g.padL() == 0) return xEnd <= g.inW() && yEnd <= g.inH();
    if (xEnd > g.inW() + 1 || yEnd > g.inH() + 1) return false;
    return (g.inW() != 1 && g.inH() != 1) || g.inW() == g.inH();
  }

  /**
   * Whether TFLite's optimized 4-D MEAN over H and W rescales whole blocks of 16 channels in NEON
   * (SRDHM, ties up; the remaining channels scalar): int8 on arm64 (measured on the TF2 MobileNet
   * V2's MEAN; uint8 not measured).
   */
  static boolean meanUpward(DType t, Platform p) {
    return p == Platform.ARM64 && t == DType.INT8;
  }

  /** Rounding of element {@code i} of {@code n} in an int8→int8 QUANTIZE (TFLite Requantize). */
  static Kind requantize(int i, int n, Platform p) {
    return p == Platform.ARM64 && i < n / 16 * 16 ? Kind.UPWARD : Kind.GEMMLOWP;
  }

  /** DEQUANTIZE of element {@code i} of {@code n}: NEON fuses whole blocks of 8 on arm64. */
  static float dequantize(int q, float scale, int zp, int i, int n, Platform p) {
    return p == Platform.ARM64 && i < n / 8 * 8
        ? QuantMath.dequantizeFma(q, scale, zp)
        : QuantMath.dequantize(q, scale, zp);
  }
}
