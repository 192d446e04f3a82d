package org.qat4j.ir.arith;

/**
 * How an int32 accumulator is rescaled by a real multiplier, i.e. which TFLite build or backend is
 * mimicked (quantization.md §6, §8).
 */
public enum RoundingMode {
  /**
   * TFLite builtin kernels of the default build (measured bit-exact against TFLite 2.20 on x86):
   * SaturatingRoundingDoublingHighMul then a rounding shift — gemmlowp's RoundingDivideByPOT (ties
   * away from zero) for DEPTHWISE_CONV_2D, ADD, MUL, MEAN, QUANTIZE…, but ruy's rounding right
   * shift (ties toward +∞) for the GEMM-backed CONV_2D and FULLY_CONNECTED.
   */
  DOUBLE,
  /** One 64-bit multiply and one rounding shift (TFLite built with TFLITE_SINGLE_ROUNDING=1). */
  SINGLE,
  /**
   * The XNNPACK delegate: CONV/DEPTHWISE/FC requantize with a float32 scale s_in·s_w/s_out rounded
   * to nearest-even; int8→int8 QUANTIZE uses XNNPACK's Q8 multiplier; float QUANTIZE multiplies by
   * the float reciprocal and rounds to even; MEAN rescales in float. Ops XNNPACK does not take (ADD
   * kept bit-identical, SOFTMAX, LOGISTIC…) follow DOUBLE.
   */
  XNNPACK_F32
}
