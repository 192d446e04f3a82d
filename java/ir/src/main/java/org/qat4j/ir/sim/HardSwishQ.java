package org.qat4j.ir.sim;

import org.qat4j.ir.arith.QuantMath;

/**
 * Int8/uint8 HARD_SWISH with TFLite's int16 fixed-point recipe (reference HardSwish kernel and
 * HardSwishPrepare): input on a hi-res scale s_in/128, a "relu-ish" factor in [0,1] on the 3/32768
 * scale, both multipliers downscaled to int16. Tabulated over all 256 inputs.
 */
final class HardSwishQ {
  private HardSwishQ() {}

  static int[] lut(QInfo qi, QInfo qo) {
    float hires = (1.0f / 128.0f) * qi.scale();
    float reluishScale = 3.0f / 32768.0f;
    int[] om = QuantMath.quantizeMultiplier(hires / qo.scale());
    int outMult = downscale(om[0]);
    int outExp = om[1];
    if (outExp > 0)
      throw new IllegalArgumentException(
          "HARD_SWISH output multiplier exponent " + outExp + " > 0 (TFLite rejects it)");
    int[] rm = QuantMath.quantizeMultiplier(hires / reluishScale);
    int reluMult = downscale(rm[0]);
    int reluExp = rm[1];
    int[] lut = new int[qi.qmax() - qi.qmin() + 1];
    for (int q = qi.qmin(); q <= qi.qmax(); q++) {
      lut[q - qi.qmin()] = eval(q, qi.zp(), qo, outMult, outExp, reluMult, reluExp);
    }
    return lut;
  }

  private static int eval(
      int q, int zpIn, QInfo qo, int outMult, int outExp, int reluMult, int reluExp) {
    short input = (short) (q - zpIn);
    short hiresIn = (short) (input * (1 << 7));
    short preshiftOut = srdhm16(hiresIn, (short) outMult);
    short reluish = hiresIn;
    if (reluExp > 0) reluish = satLeftShift(reluish, reluExp - 1);
    reluish = srdhm16(reluish, (short) reluMult);
    if (reluExp > 0) reluish = satLeftShift(reluish, 1);
    if (reluExp < 0) reluish = (short) rdbpot16(reluish, -reluExp);
    reluish = (short) ((reluish + (1 << 15)) >> 1);
    short preshift = sdhm16(reluish, preshiftOut);
    int out = rdbpot16(preshift, -outExp) + qo.zp();
    return QuantMath.clamp(out, qo.qmin(), qo.qmax());
  }

  /** DownScaleInt32ToInt16Multiplier. */
  static int downscale(int m) {
    final int offset = 1 << 15;
    if (m >= Integer.MAX_VALUE - offset) return Short.MAX_VALUE;
    return (m + offset) >> 16;
  }

  /** gemmlowp SaturatingRoundingDoublingHighMul on int16. */
  static short srdhm16(short a, short b) {
    if (a == b && a == Short.MIN_VALUE) return Short.MAX_VALUE;
    int ab = a * b;
    int nudge = ab >= 0 ? (1 << 14) : 1 - (1 << 14);
    return (short) ((ab + nudge) / (1 << 15));
  }

  /** Non-rounding doubling high multiply (TFLite's SaturatingDoublingHighMul). */
  static short sdhm16(short a, short b) {
    if (a == b && a == Short.MIN_VALUE) return Short.MAX_VALUE;
    return (short) ((a * b) / (1 << 15));
  }

  static short satLeftShift(short v, int amount) {
    int r = v * (1 << amount);
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, r));
  }

  /** RoundingDivideByPOT on an int16 value. */
  static int rdbpot16(short x, int e) {
    int mask = (1 << e) - 1;
    int rem = x & mask;
    int thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
  }
}
