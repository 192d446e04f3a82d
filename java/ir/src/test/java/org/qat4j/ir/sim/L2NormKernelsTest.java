package org.qat4j.ir.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fixed-point inverse square root of L2_NORMALIZATION against 1/√S in double: TFLite's
 * multiplier m and right shift k encode m·2^(−31−k) ≈ 1/√S (within 2·10⁻⁶: five Newton steps from 1
 * leave 1.2·10⁻⁶ at S = 2, the slowest case). Bit-exactness against TFLite itself is checked by
 * OpParityTest (runtime module).
 */
class L2NormKernelsTest {
  @Test
  void inverseSquareRootIsCloseToTheRealOneAcrossTheInt32Range() {
    SplittableRandom r = new SplittableRandom(11);
    for (int i = 0; i < 20_000; i++) {
      int s = i < 1000 ? i + 2 : 2 + r.nextInt(Integer.MAX_VALUE - 2);
      int[] mk = L2NormKernels.invSqrt(s);
      double got = mk[0] * Math.pow(2, -31.0 - mk[1]), want = 1 / Math.sqrt(s);
      assertTrue(mk[0] > 0 && mk[1] >= 0, "S = " + s + ": multiplier " + mk[0] + " shift " + mk[1]);
      assertTrue(Math.abs(got / want - 1) < 2e-6, "S = " + s + ": " + got + " vs " + want);
    }
  }

  @Test
  void sumsOfZeroAndOneTakeTheLargestMultiplier() {
    assertArrayEquals(new int[] {Integer.MAX_VALUE, 0}, L2NormKernels.invSqrt(0));
    assertArrayEquals(new int[] {Integer.MAX_VALUE, 0}, L2NormKernels.invSqrt(1));
  }
}
