package org.qat4j.ir.arith;

/**
 * GELU as TFLite 2.20 evaluates it in float32 when it fills its int8/uint8 lookup table, and the
 * complementary error function it needs (Java has none). The erf form is x/2 · erfc(−x/√2); the
 * approximate form is x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))), each step rounded to float as
 * TFLite's C++ does.
 */
public final class GeluMath {
  private GeluMath() {}

  /** −1/√2 rounded to float (C's M_SQRT1_2 negated, then cast). */
  private static final float NEG_SQRT1_2 = (float) -0.70710678118654752440;

  /** √(2/π) rounded to float, from C's M_2_SQRTPI · M_SQRT1_2 in double. */
  private static final float SQRT_2_PI = (float) (1.12837916709551257390 * 0.70710678118654752440);

  private static final double TWO_OVER_SQRT_PI = 1.12837916709551257390;
  private static final double ONE_OVER_SQRT_PI = 0.56418958354775628695;

  /** GELU of {@code x} in float32, erf form ({@code approximate} false) or tanh form. */
  public static float of(float x, boolean approximate) {
    if (approximate) {
      float inner = x + 0.044715f * x * x * x;
      float t = (float) Math.tanh(SQRT_2_PI * inner);
      return 0.5f * x * (1f + t);
    }
    return 0.5f * x * erfc(x * NEG_SQRT1_2);
  }

  /** The derivative of GELU at {@code x} (double), for training. */
  public static double derivative(double x, boolean approximate) {
    if (approximate) {
      double c = 0.7978845608028654, u = c * (x + 0.044715 * x * x * x);
      double t = Math.tanh(u);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    }
    double cdf = 0.5 * erfc(-x * 0.70710678118654752440);
    double pdf = Math.exp(-0.5 * x * x) * ONE_OVER_SQRT_PI * 0.70710678118654752440;
    return cdf + x * pdf;
  }

  /** erfc of a float, rounded to float (the C library's erfcf to within its last-bit rounding). */
  public static float erfc(float z) {
    return (float) erfc((double) z);
  }

  /**
   * erfc(z) in double, to about 1e-15 relative: 1 − erf by erf's series of positive terms below 1
   * (no cancellation inside the sum; erfc ≥ 0.157 there), Laplace's continued fraction above (where
   * erfc is small and needs relative accuracy), and 2 − erfc(−z) for negative z.
   */
  public static double erfc(double z) {
    if (Double.isNaN(z)) return z;
    if (z < 0) return 2 - erfc(-z);
    if (z < 1) return 1 - erfSeries(z);
    if (z > 27) return 0;
    double f = z;
    for (int n = 240; n >= 1; n--) f = z + 0.5 * n / f;
    return Math.exp(-z * z) * ONE_OVER_SQRT_PI / f;
  }

  /** erf(z) = 2/√π · e^(−z²) · Σ (2z²)ⁿ z / (1·3·…·(2n+1)), for 0 ≤ z < 1. */
  private static double erfSeries(double z) {
    double twoZ2 = 2 * z * z, term = z, sum = z;
    for (int n = 1; n < 200 && term > sum * 1e-18; n++) {
      term *= twoZ2 / (2 * n + 1);
      sum += term;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-z * z) * sum;
  }
}
