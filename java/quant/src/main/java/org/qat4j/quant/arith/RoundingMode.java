package org.qat4j.quant.arith;

/**
 * How an int32 accumulator is rescaled by a real multiplier, i.e. which TFLite build or backend is
 * mimicked (quantization.md §6, §8).
 */
public enum RoundingMode {
  /** gemmlowp SaturatingRoundingDoublingHighMul then RoundingDivideByPOT (TFLite builtin kernels, default build). */
  DOUBLE,
  /** One 64-bit multiply and one rounding shift (TFLite built with TFLITE_SINGLE_ROUNDING=1). */
  SINGLE,
  /** XNNPACK-like: float32 scale s_in·s_w/s_out, acc·scale rounded to nearest-even. */
  XNNPACK_F32
}
