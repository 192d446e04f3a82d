package org.qat4j.ir.arith;

import org.qat4j.ir.FusedActivation;

/**
 * TFLite's integer requantization arithmetic (quantization.md §6–§7): C rounding, quantized
 * multipliers computed in double, gemmlowp fixed-point primitives, both rounding modes, fused
 * activation clamps and the per-op effective multipliers. Pure functions, thread-safe.
 */
public final class QuantMath {
  public static final int INT8_MIN = -128;
  public static final int INT8_MAX = 127;

  private QuantMath() {}

  /** C {@code round}: half away from zero (Java's Math.round rounds half up). */
  public static double cRound(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x)) return x;
    double a = Math.abs(x);
    double t = Math.floor(a);
    if (a - t >= 0.5) t += 1;
    return Math.copySign(t, x);
  }

  /** C {@code roundf} on a float32 value, result float32 (used where kernels round floats). */
  public static float cRound(float x) {
    if (Float.isNaN(x) || Float.isInfinite(x)) return x;
    float a = Math.abs(x);
    float t = (float) Math.floor(a);
    if (a - t >= 0.5f) t += 1f;
    return Math.copySign(t, x);
  }

  /** {@code static_cast<int32_t>(round(x))} with saturation instead of undefined behaviour. */
  public static int cRoundToInt(float x) {
    return (int) cRound(x);
  }

  /**
   * TFLite QuantizeMultiplier: m = q·2^shift, q in [0.5,1) as a Q31 integer. Returns {M, shift}.
   * With {@code singleRounding} the shift is capped at 30 (TFLITE_SINGLE_ROUNDING build).
   */
  public static int[] quantizeMultiplier(double m, boolean singleRounding) {
    if (m == 0 || Double.isNaN(m)) return new int[] {0, 0};
    if (Double.isInfinite(m))
      throw new IllegalArgumentException("multiplier must be finite, got " + m);
    int sh = frexpExponent(m);
    long qf = (long) cRound(Math.scalb(m, -sh) * (double) (1L << 31));
    if (qf == (1L << 31)) {
      qf /= 2;
      sh++;
    }
    if (sh < -31) {
      sh = 0;
      qf = 0;
    }
    if (singleRounding && sh > 30) {
      sh = 30;
      qf = (1L << 31) - 1;
    }
    return new int[] {(int) qf, sh};
  }

  /** Double-rounding default build. */
  public static int[] quantizeMultiplier(double m) {
    return quantizeMultiplier(m, false);
  }

  /** Multiplier for {@code real} as a given mode needs it (fixed point plus the float32 value). */
  public static Multiplier multiplier(double real, RoundingMode mode) {
    int[] q = quantizeMultiplier(real, mode == RoundingMode.SINGLE);
    return new Multiplier(q[0], q[1], (float) real);
  }

  /** Exponent e of frexp(m): |m| = q·2^e with q in [0.5, 1); handles subnormals. */
  static int frexpExponent(double m) {
    double a = Math.abs(m);
    if (a < Double.MIN_NORMAL) return frexpExponent(a * 0x1p64) - 64;
    return Math.getExponent(a) + 1;
  }

  /**
   * gemmlowp SaturatingRoundingDoublingHighMul: round(a·b / 2^31) with the one overflow saturated.
   */
  public static int srdhm(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) return Integer.MAX_VALUE;
    long ab = (long) a * b;
    long nudge = ab >= 0 ? (1L << 30) : 1 - (1L << 30);
    return (int) ((ab + nudge) / (1L << 31)); // '/' truncates toward zero, as in C
  }

  /** gemmlowp RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero; 0 ≤ e ≤ 31. */
  public static int rdbpot(int x, int e) {
    if (e < 0 || e > 31) throw new IllegalArgumentException("exponent must be in [0,31], got " + e);
    int mask = (int) ((1L << e) - 1);
    int rem = x & mask;
    int thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
  }

  /**
   * MultiplyByQuantizedMultiplier, TFLITE_SINGLE_ROUNDING == 0 (the int-wrapping left shift matches
   * the C build).
   */
  public static int mbqmDouble(int x, int m, int shift) {
    int l = shift > 0 ? shift : 0;
    int r = shift > 0 ? 0 : -shift;
    return rdbpot(srdhm(x * (1 << l), m), r);
  }

  /**
   * ruy's MultiplyByQuantizedMultiplier (TFLite's cpu_backend_gemm path: CONV_2D and
   * FULLY_CONNECTED): SRDHM, then a rounding right shift whose ties go up (toward +∞), unlike
   * gemmlowp's RoundingDivideByPOT (ties away from zero). Differs only on negative ties.
   */
  public static int mbqmRuy(int x, int m, int shift) {
    int l = shift > 0 ? shift : 0;
    int r = shift > 0 ? 0 : -shift;
    int v = srdhm(x * (1 << l), m);
    if (r == 0) return v;
    return (int) (((long) v + (1L << (r - 1))) >> r);
  }

  /**
   * MultiplyByQuantizedMultiplier, TFLITE_SINGLE_ROUNDING == 1: (x·M + 2^(t−1)) >> t, t = 31 −
   * shift.
   */
  public static int mbqmSingle(int x, int m, int shift) {
    if (shift > 30 || shift < -31)
      throw new IllegalArgumentException("single-rounding shift must be in [-31,30], got " + shift);
    int t = 31 - shift;
    long r = ((long) x * m + (1L << (t - 1))) >> t;
    return (int) r;
  }

  /**
   * XNNPACK fp32 requantization: (float) x · scale, rounded to nearest-even, saturated to int32.
   */
  public static int mulRintF32(int x, float scale) {
    float v = (float) x * scale;
    return (int) Math.rint(v);
  }

  /**
   * MultiplyByQuantizedMultiplier in the chosen mode ({@code XNNPACK_F32} uses value() in float).
   */
  public static int multiplyByQuantizedMultiplier(int x, int m, int shift, RoundingMode mode) {
    return switch (mode) {
      case DOUBLE -> mbqmDouble(x, m, shift);
      case SINGLE -> mbqmSingle(x, m, shift);
      case XNNPACK_F32 -> mulRintF32(x, (float) (m * Math.pow(2, shift - 31)));
    };
  }

  /** Saturates to [lo, hi]. */
  public static int clamp(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
  }

  /**
   * CalculateActivationRangeQuantized: {min, max} for an output (scale, zp) and a fused activation,
   * within [qmin, qmax]; quotient in float32, C rounding.
   */
  public static int[] activationRange(
      FusedActivation act, float scale, int zeroPoint, int qmin, int qmax) {
    int lo = qmin, hi = qmax;
    switch (act) {
      case NONE -> {}
      case RELU -> lo = Math.max(qmin, quantizeReal(0f, scale, zeroPoint));
      case RELU6 -> {
        lo = Math.max(qmin, quantizeReal(0f, scale, zeroPoint));
        hi = Math.min(qmax, quantizeReal(6f, scale, zeroPoint));
      }
      case RELU_N1_TO_1 -> {
        lo = Math.max(qmin, quantizeReal(-1f, scale, zeroPoint));
        hi = Math.min(qmax, quantizeReal(1f, scale, zeroPoint));
      }
    }
    return new int[] {lo, hi};
  }

  /** int8 activation range. */
  public static int[] activationRange(FusedActivation act, float scale, int zeroPoint) {
    return activationRange(act, scale, zeroPoint, INT8_MIN, INT8_MAX);
  }

  /** zp + (int) round(f / scale) with the division in float32 (unclamped). */
  public static int quantizeReal(float f, float scale, int zeroPoint) {
    long v = (long) zeroPoint + cRoundToInt(f / scale);
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
  }

  /** Float activation range {min, max} for a fused activation (float kernels). */
  public static float[] activationRangeFloat(FusedActivation act) {
    return switch (act) {
      case NONE -> new float[] {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
      case RELU -> new float[] {0f, Float.POSITIVE_INFINITY};
      case RELU6 -> new float[] {0f, 6f};
      case RELU_N1_TO_1 -> new float[] {-1f, 1f};
    };
  }

  /**
   * Per-channel conv/depthwise/FC effective multipliers s_in·s_w[c]/s_out, each factor widened to
   * double first (PopulateConvolutionQuantizationParams); a single weight scale is broadcast.
   */
  public static double[] convEffectiveScales(
      float inScale, float[] weightScales, float outScale, int channels) {
    if (weightScales.length != 1 && weightScales.length != channels) {
      throw new IllegalArgumentException(
          "weight scales: " + weightScales.length + " for " + channels + " channels");
    }
    double[] eff = new double[channels];
    for (int c = 0; c < channels; c++) {
      double ws = weightScales.length == 1 ? weightScales[0] : weightScales[c];
      eff[c] = (double) inScale * ws / (double) outScale;
    }
    return eff;
  }

  /** Multipliers for {@link #convEffectiveScales}; XNNPACK's float32 scale is computed in float. */
  public static Multiplier[] convMultipliers(
      float inScale, float[] weightScales, float outScale, int channels, RoundingMode mode) {
    double[] eff = convEffectiveScales(inScale, weightScales, outScale, channels);
    Multiplier[] ms = new Multiplier[channels];
    for (int c = 0; c < channels; c++) {
      float ws = weightScales.length == 1 ? weightScales[0] : weightScales[c];
      int[] q = quantizeMultiplier(eff[c], mode == RoundingMode.SINGLE);
      ms[c] = new Multiplier(q[0], q[1], inScale * ws / outScale);
    }
    return ms;
  }

  /**
   * The single "legacy" conv/FC multiplier TFLite keeps for uint8 convolutions and per-tensor
   * FULLY_CONNECTED (GetQuantizedConvolutionMultipler): the product s_in·s_w is rounded to float32
   * before it is widened and divided by s_out in double, so it can differ from {@link
   * #convEffectiveScales} in the last bits of the Q31 multiplier.
   */
  public static Multiplier legacyConvMultiplier(
      float inScale, float weightScale, float outScale, RoundingMode mode) {
    float product = inScale * weightScale;
    int[] q = quantizeMultiplier((double) product / (double) outScale, mode == RoundingMode.SINGLE);
    return new Multiplier(q[0], q[1], product / outScale);
  }

  /** ADD (int8) parameters: left shift 20, per-input and output multipliers (add.cc Prepare). */
  public static AddParams addParams(float s1, float s2, float sOut, RoundingMode mode) {
    final int leftShift = 20;
    double twice = 2.0 * Math.max(s1, s2);
    Multiplier m1 = multiplier(s1 / twice, mode);
    Multiplier m2 = multiplier(s2 / twice, mode);
    Multiplier mo = multiplier(twice / ((double) (1 << leftShift) * sOut), mode);
    return new AddParams(leftShift, m1, m2, mo);
  }

  /** Fixed-point parameters of an int8 ADD. */
  public record AddParams(int leftShift, Multiplier in1, Multiplier in2, Multiplier out) {}

  /**
   * Rescale multiplier s_in/s_out of an int8→int8 QUANTIZE (or requantizing CONCATENATION input).
   */
  public static Multiplier requantMultiplier(float sIn, float sOut, RoundingMode mode) {
    return multiplier((double) sIn / (double) sOut, mode);
  }

  /**
   * float → int8/uint8 as QUANTIZE does: clamp(zp + (int) round(v / scale)), division in float32.
   */
  public static int quantize(float v, float scale, int zeroPoint, int qmin, int qmax) {
    return clamp(quantizeReal(v, scale, zeroPoint), qmin, qmax);
  }

  /**
   * float → int8/uint8 as TFLite's optimized QUANTIZE kernel does (the builtin on x86): the scale
   * is widened to double, so the quotient v / scale and its C rounding are in double.
   */
  public static int quantizeDouble(float v, float scale, int zeroPoint, int qmin, int qmax) {
    double r = cRound((double) v / (double) scale);
    long q = (long) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, r)) + zeroPoint;
    return (int) Math.max(qmin, Math.min(qmax, q));
  }

  /**
   * int → float as TFLite's NEON DEQUANTIZE does for whole blocks of 8 elements: one fused
   * multiply-add q·scale + (−zp·scale), the constant rounded to float32 first.
   */
  public static float dequantizeFma(int q, float scale, int zeroPoint) {
    return Math.fma((float) q, scale, (float) -zeroPoint * scale);
  }

  /** int → float as DEQUANTIZE does: (q − zp)·scale in float32. */
  public static float dequantize(int q, float scale, int zeroPoint) {
    return (q - zeroPoint) * scale;
  }
}
