package org.qat4j.ir.arith;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.ir.FusedActivation;

class QuantMathTest {
  @Test
  void cRoundIsHalfAwayFromZero() {
    assertEquals(-3.0, QuantMath.cRound(-2.5));
    assertEquals(3.0, QuantMath.cRound(2.5));
    assertEquals(-1.0, QuantMath.cRound(-0.5));
    assertEquals(-2.0, QuantMath.cRound(-2.4999));
    // floor(x + 0.5) would give 1 here.
    assertEquals(0.0, QuantMath.cRound(0.49999999999999994));
    assertEquals(-0.0, QuantMath.cRound(-0.2));
    assertEquals(-3f, QuantMath.cRound(-2.5f));
    assertEquals(1f, QuantMath.cRound(0.5f));
    assertEquals(0f, QuantMath.cRound(0.49999997f));
    assertEquals(-128, QuantMath.cRoundToInt(-127.5f));
  }

  @Test
  void quantizeMultiplierKnownValues() {
    assertArrayEquals(new int[] {1 << 30, 0}, QuantMath.quantizeMultiplier(0.5));
    assertArrayEquals(new int[] {1 << 30, 1}, QuantMath.quantizeMultiplier(1.0));
    assertArrayEquals(new int[] {1610612736, 0}, QuantMath.quantizeMultiplier(0.75));
    assertArrayEquals(new int[] {1717986918, -3}, QuantMath.quantizeMultiplier(0.1));
    assertArrayEquals(new int[] {1 << 30, 3}, QuantMath.quantizeMultiplier(4.0));
    assertArrayEquals(new int[] {0, 0}, QuantMath.quantizeMultiplier(0.0));
  }

  @Test
  void quantizeMultiplierRoundingUpToOneRenormalises() {
    // q·2^31 rounds to 2^31 → halve and bump the shift.
    assertArrayEquals(new int[] {1 << 30, 1}, QuantMath.quantizeMultiplier(1.0 - 0x1p-40));
  }

  @Test
  void quantizeMultiplierTinyFlushesToZero() {
    assertArrayEquals(new int[] {0, 0}, QuantMath.quantizeMultiplier(0x1p-40));
    assertArrayEquals(new int[] {0, 0}, QuantMath.quantizeMultiplier(Double.MIN_VALUE));
    // 2^-32 has exponent −31: still representable.
    assertArrayEquals(new int[] {1 << 30, -31}, QuantMath.quantizeMultiplier(0x1p-32));
    assertEquals(0, QuantMath.mbqmDouble(1_000_000, 0, 0));
  }

  @Test
  void singleRoundingCapsShiftAt30() {
    assertArrayEquals(
        new int[] {Integer.MAX_VALUE, 30}, QuantMath.quantizeMultiplier(0x1p40, true));
    assertArrayEquals(new int[] {1 << 30, 41}, QuantMath.quantizeMultiplier(0x1p40, false));
  }

  @Test
  void srdhmEdgeCases() {
    assertEquals(Integer.MAX_VALUE, QuantMath.srdhm(Integer.MIN_VALUE, Integer.MIN_VALUE));
    assertEquals(1 << 29, QuantMath.srdhm(1 << 30, 1 << 30));
    assertEquals(1, QuantMath.srdhm(1, 1 << 30)); // +0.5 → 1
    assertEquals(0, QuantMath.srdhm(-1, 1 << 30)); // −0.5 → 0 (nudge 1 − 2^30, truncating divide)
    assertEquals(-1, QuantMath.srdhm(-3, 1 << 30)); // −1.5 → −1
    assertEquals(-Integer.MAX_VALUE, QuantMath.srdhm(Integer.MIN_VALUE, Integer.MAX_VALUE));
  }

  @Test
  void roundingDivideByPotTiesAwayFromZero() {
    assertEquals(3, QuantMath.rdbpot(5, 1));
    assertEquals(-3, QuantMath.rdbpot(-5, 1));
    assertEquals(-2, QuantMath.rdbpot(-6, 2));
    assertEquals(-2, QuantMath.rdbpot(-7, 2));
    assertEquals(-1, QuantMath.rdbpot(-5, 2));
    assertEquals(7, QuantMath.rdbpot(7, 0));
    assertEquals(1, QuantMath.rdbpot(1 << 30, 31));
    assertEquals(-1, QuantMath.rdbpot(Integer.MIN_VALUE, 31));
    assertEquals(-1, QuantMath.rdbpot(-(1 << 30), 31)); // −0.5 → −1
    assertThrows(IllegalArgumentException.class, () -> QuantMath.rdbpot(1, 32));
  }

  @Test
  void doubleVersusSingleRounding() {
    int m075 = 1610612736;
    // −37·0.75/8 = −3.46875: double rounding first gives −27.75 → −28, then −3.5 → −4; single gives
    // −3.
    assertEquals(-4, QuantMath.mbqmDouble(-37, m075, -3));
    assertEquals(-3, QuantMath.mbqmSingle(-37, m075, -3));
    // Negative tie −0.5: double → −1 (away from zero), single → 0 (half up).
    assertEquals(-1, QuantMath.mbqmDouble(-2, 1 << 30, -1));
    assertEquals(0, QuantMath.mbqmSingle(-2, 1 << 30, -1));
    assertEquals(1, QuantMath.mbqmDouble(2, 1 << 30, -1));
    assertEquals(1, QuantMath.mbqmSingle(2, 1 << 30, -1));
  }

  @Test
  void ruyRoundingShiftBreaksTiesUpward() {
    int m075 = 1610612736;
    assertEquals(-3, QuantMath.mbqmRuy(-37, m075, -3)); // SRDHM −28, −3.5 → −3
    assertEquals(0, QuantMath.mbqmRuy(-2, 1 << 30, -1)); // −0.5 → 0
    assertEquals(1, QuantMath.mbqmRuy(2, 1 << 30, -1)); // 0.5 → 1
    assertEquals(-1, QuantMath.mbqmRuy(-7, 1 << 30, -1)); // −1.75: SRDHM −3 (of −3.5), −1.5 → −1
    assertEquals(-2, QuantMath.mbqmRuy(-9, 1 << 30, -1)); // −2.25: SRDHM −4, −2
    assertEquals(6, QuantMath.mbqmRuy(3, 1 << 30, 2)); // positive shift: no rounding shift
    for (int x = -1000; x <= 1000; x += 7) { // agrees with gemmlowp off ties
      int a = QuantMath.mbqmRuy(x, 1234567890, -5), b = QuantMath.mbqmDouble(x, 1234567890, -5);
      assertEquals(true, a == b || a == b + 1, "x=" + x);
    }
  }

  @Test
  void positiveShiftMultipliesFirst() {
    assertEquals(6, QuantMath.mbqmDouble(3, 1 << 30, 2));
    assertEquals(6, QuantMath.mbqmSingle(3, 1 << 30, 2));
    // x·2^shift wraps in int32 exactly as the C build does.
    assertEquals(0, QuantMath.mbqmDouble(1 << 29, 1 << 30, 3));
  }

  @Test
  void multiplierAppliesEachMode() {
    Multiplier m = QuantMath.multiplier(0.09375, RoundingMode.DOUBLE); // 0.75/8
    assertEquals(0.09375, m.value(), 0);
    assertEquals(-4, m.apply(-37, RoundingMode.DOUBLE));
    assertEquals(-3, m.apply(-37, RoundingMode.SINGLE));
    assertEquals(-3, m.apply(-37, RoundingMode.XNNPACK_F32)); // −3.46875 → −3
    assertEquals(-4, QuantMath.mulRintF32(-7, 0.5f)); // −3.5 → −4 (ties to even)
    assertEquals(2, QuantMath.mulRintF32(5, 0.5f)); // 2.5 → 2 (ties to even)
  }

  @Test
  void activationRanges() {
    assertArrayEquals(
        new int[] {-128, 127}, QuantMath.activationRange(FusedActivation.NONE, 0.05f, -10));
    assertArrayEquals(
        new int[] {-10, 127}, QuantMath.activationRange(FusedActivation.RELU, 0.05f, -10));
    assertArrayEquals(
        new int[] {-10, 110}, QuantMath.activationRange(FusedActivation.RELU6, 0.05f, -10));
    assertArrayEquals(
        new int[] {-30, 10}, QuantMath.activationRange(FusedActivation.RELU_N1_TO_1, 0.05f, -10));
    assertArrayEquals(
        new int[] {-128, 127}, QuantMath.activationRange(FusedActivation.RELU6, 6f / 255f, -128));
    // zp outside the int8 range is clamped.
    assertArrayEquals(
        new int[] {-128, 127}, QuantMath.activationRange(FusedActivation.RELU, 0.05f, -200));
  }

  @Test
  void effectiveScalesUseDoubleProducts() {
    float sIn = 0.1f, sOut = 0.3f;
    float[] sw = {0.02f, 0.5f};
    double[] eff = QuantMath.convEffectiveScales(sIn, sw, sOut, 2);
    assertEquals((double) 0.1f * (double) 0.02f / (double) 0.3f, eff[0], 0);
    assertEquals((double) 0.1f * (double) 0.5f / (double) 0.3f, eff[1], 0);
    assertEquals(3, QuantMath.convEffectiveScales(sIn, new float[] {0.02f}, sOut, 3).length);
    assertThrows(
        IllegalArgumentException.class, () -> QuantMath.convEffectiveScales(sIn, sw, sOut, 3));
    Multiplier[] ms = QuantMath.convMultipliers(sIn, sw, sOut, 2, RoundingMode.DOUBLE);
    assertArrayEquals(QuantMath.quantizeMultiplier(eff[1]), new int[] {ms[1].m(), ms[1].shift()});
  }

  @Test
  void addParamsFollowTflitePrepare() {
    QuantMath.AddParams p = QuantMath.addParams(0.5f, 0.25f, 1f, RoundingMode.DOUBLE);
    assertEquals(20, p.leftShift());
    assertEquals(0.5, p.in1().value(), 0);
    assertEquals(0.25, p.in2().value(), 0);
    assertEquals(1.0 / (1 << 20), p.out().value(), 0);
  }

  @Test
  void quantizeAndDequantize() {
    assertEquals(-3, QuantMath.quantize(-0.25f, 0.1f, 0, -128, 127)); // −2.5 → −3
    assertEquals(127, QuantMath.quantize(100f, 0.1f, 0, -128, 127));
    assertEquals(-128, QuantMath.quantize(-1e30f, 0.1f, 5, -128, 127));
    assertEquals(255, QuantMath.quantize(30f, 0.1f, 0, 0, 255));
    assertEquals(
        -2, QuantMath.quantizeDouble(-0.25f, 0.1f, 0, -128, 127)); // double quotient −2.4999999627
    assertEquals(-128, QuantMath.quantizeDouble(-1e30f, 0.1f, 5, -128, 127));
    assertEquals(0.5f, QuantMath.dequantize(7, 0.1f, 2), 1e-7f);
  }
}
