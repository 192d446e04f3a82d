package org.qat4j.ir.arith;

/**
 * A real multiplier in TFLite's fixed-point form, real ≈ m·2^(shift−31) with m in [2^30, 2^31) (or
 * 0), plus the float32 value XNNPACK would use. Obtain from {@link QuantMath#multiplier}.
 */
public record Multiplier(int m, int shift, float f32) {
  /** The real value the fixed-point pair represents. */
  public double value() {
    return m * Math.pow(2, shift - 31);
  }

  /** Rescales {@code x} in the given mode (see {@link QuantMath#multiplyByQuantizedMultiplier}). */
  public int apply(int x, RoundingMode mode) {
    return switch (mode) {
      case DOUBLE -> QuantMath.mbqmDouble(x, m, shift);
      case SINGLE -> QuantMath.mbqmSingle(x, m, shift);
      case XNNPACK_F32 -> QuantMath.mulRintF32(x, f32);
    };
  }
}
