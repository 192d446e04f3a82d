package org.qat4j.ir.sim;

/**
 * gemmlowp's 16-bit fixed-point logistic and tanh as TFLite's integer LSTM applies them to its
 * int16 gates: the input has {@code intBits} integer bits (raw / 2^(15 − intBits)), the result is
 * Q0.15. Int16 additions wrap and products use the saturating rounding doubling high multiply, as
 * the scalar gemmlowp code does; the constants are gemmlowp's Q0.31 values rounded to 16 bits.
 */
final class Fixed16 {
  private static final short ONE = Short.MAX_VALUE;
  private static final short HALF = 16384;
  private static final short EXP_MINUS_EIGHTH = c16(1895147668);
  private static final short ONE_THIRD = c16(715827883);
  private static final short C48_OVER_17 = c16(1515870810);
  private static final short CNEG32_OVER_17 = c16(-1010580540);

  /** exp(−2^e) for e = −2 … 4, Q0.31 before rounding. */
  private static final int[] EXP_POT = {
    1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242
  };

  private Fixed16() {}

  /** A Q0.31 constant rounded to Q0.15 (gemmlowp's RescaleConstantInitializer). */
  private static short c16(int v) {
    return (short) rdbpot(v, 16);
  }

  static short add(int a, int b) {
    return (short) (a + b);
  }

  static short mul(short a, short b) {
    if (a == Short.MIN_VALUE && b == Short.MIN_VALUE) return Short.MAX_VALUE;
    int ab = a * b;
    int nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
    return (short) ((ab + nudge) / (1 << 15));
  }

  static int rdbpot(int x, int e) {
    int mask = (1 << e) - 1;
    int rem = x & mask;
    int thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
  }

  /** SaturatingRoundingMultiplyByPOT with a positive exponent: a saturating left shift. */
  static short satShift(short x, int e) {
    int thr = (1 << (15 - e)) - 1;
    if (x > thr) return Short.MAX_VALUE;
    if (x < -thr) return Short.MIN_VALUE;
    return (short) (x << e);
  }

  private static short halfSum(short a, short b) {
    int sum = a + b;
    return (short) ((sum + (sum >= 0 ? 1 : -1)) / 2);
  }

  /** exp(a) for a in [−1/4, 0), Q0.15 in and out. */
  private static short expQuarter(short a) {
    short x = add(a, 1 << 12);
    short x2 = mul(x, x);
    short x3 = mul(x2, x);
    short x4 = mul(x2, x2);
    short x4Over4 = (short) rdbpot(x4, 2);
    short poly = (short) rdbpot(add(mul(add(x4Over4, x3), ONE_THIRD), x2), 1);
    int sum = EXP_MINUS_EIGHTH + mul(EXP_MINUS_EIGHTH, add(x, poly));
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sum));
  }

  /** exp(a) for a ≤ 0 with {@code intBits} integer bits; Q0.15 result. */
  static short expNegative(short a, int intBits) {
    int frac = 15 - intBits;
    short quarter = (short) (1 << (frac - 2));
    short modQuarter = add(a & (quarter - 1), -quarter);
    short result = expQuarter(satShift(modQuarter, intBits));
    short remainder = add(modQuarter, -a);
    for (int e = -2; e <= 4; e++) {
      if (intBits > e && (remainder & (1 << (frac + e))) != 0)
        result = mul(result, c16(EXP_POT[e + 2]));
    }
    if (intBits > 5) {
      short clamp = c16(-(1 << (36 - intBits)));
      if (a < clamp) result = 0;
    }
    return a == 0 ? ONE : result;
  }

  /** Newton–Raphson 1/(1 + x) (or (1 − x)/(1 + x)) for x in [0, 1] in Q0.15. */
  private static short reciprocal(short a, boolean oneMinus) {
    short halfDen = halfSum(a, ONE);
    short x = add(C48_OVER_17, mul(halfDen, CNEG32_OVER_17));
    for (int i = 0; i < 3; i++) {
      short hx = mul(halfDen, x);
      short oneMinusHx = add(1 << 13, -hx);
      x = add(x, satShift(mul(x, oneMinusHx), 2));
    }
    return oneMinus ? satShift(add(x, -(1 << 13)), 2) : satShift(x, 1);
  }

  /** logistic(a), {@code a} with {@code intBits} integer bits; Q0.15 result. */
  static short logistic(short a, int intBits) {
    if (a == 0) return HALF;
    short abs = a > 0 ? a : (short) -a;
    short pos = reciprocal(expNegative((short) -abs, intBits), false);
    return a > 0 ? pos : add(ONE, -pos);
  }

  /** tanh(a), {@code a} with {@code intBits} integer bits; Q0.15 result. */
  static short tanh(short a, int intBits) {
    if (a == 0) return 0;
    short n = a < 0 ? a : (short) -a;
    short t = reciprocal(expNegative(n, intBits + 1), true);
    return a < 0 ? (short) -t : t;
  }
}
