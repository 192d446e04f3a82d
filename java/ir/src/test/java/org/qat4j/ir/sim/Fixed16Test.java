package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The 16-bit fixed-point logistic and tanh of the integer LSTM, over every int16 input of every
 * integer-bit count the kernel uses: within 2^-12 (logistic) and 2^-11 (tanh) of the real functions
 * (the bit-exact proof against TFLite is LstmParityTest; gemmlowp's approximation is not monotone,
 * so neither is this), exact at 0, and odd (tanh) or complementary (logistic) in the sign of the
 * input.
 */
class Fixed16Test {
  private static final double Q15 = 1.0 / 32768;

  @Test
  void logisticOfTheQ3_12GatesIsCloseAndComplementary() {
    double worst = 0;
    for (int raw = Short.MIN_VALUE; raw <= Short.MAX_VALUE; raw++) {
      int y = Fixed16.logistic((short) raw, 3);
      double want = 1 / (1 + Math.exp(-raw / 4096.0));
      worst = Math.max(worst, Math.abs(y * Q15 - want));
      if (raw > Short.MIN_VALUE) {
        int sum = y + Fixed16.logistic((short) -raw, 3);
        assertTrue(Math.abs(sum - 32767) <= 1, "σ(x) + σ(−x) at " + raw + ": " + sum);
      }
    }
    assertEquals(16384, Fixed16.logistic((short) 0, 3));
    assertTrue(worst < 1.0 / 4096, "max error " + worst);
  }

  @Test
  void tanhForEveryIntegerBitCountIsCloseAndOdd() {
    for (int bits = 0; bits <= 6; bits++) {
      double worst = 0;
      for (int raw = Short.MIN_VALUE; raw <= Short.MAX_VALUE; raw++) {
        int y = Fixed16.tanh((short) raw, bits);
        double want = Math.tanh(raw / (double) (1 << (15 - bits)));
        worst = Math.max(worst, Math.abs(y * Q15 - want));
        if (raw > Short.MIN_VALUE)
          assertEquals(-y, Fixed16.tanh((short) -raw, bits), "tanh odd at " + raw);
      }
      assertEquals(0, Fixed16.tanh((short) 0, bits));
      assertTrue(worst < 1.0 / 2048, bits + " integer bits: max error " + worst);
    }
  }
}
