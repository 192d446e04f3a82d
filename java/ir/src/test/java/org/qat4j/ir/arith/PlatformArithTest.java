package org.qat4j.ir.arith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The arm64 NEON DEQUANTIZE helper against an exact reference, and the platform choice. */
class PlatformArithTest {

  @Test
  void dequantizeFmaRoundsOnceAndMayDifferFromTheScalarFormula() {
    SplittableRandom r = new SplittableRandom(3);
    int differ = 0;
    for (int i = 0; i < 100_000; i++) {
      float scale = 0.005f + 0.1f * (float) r.nextDouble();
      int zp = r.nextInt(256) - 128, q = r.nextInt(256) - 128;
      float c = (float) -zp * scale;
      double exact = (double) q * scale + c; // exact in double: 24+8 bit product plus a float
      assertEquals((float) exact, QuantMath.dequantizeFma(q, scale, zp));
      if (QuantMath.dequantizeFma(q, scale, zp) != QuantMath.dequantize(q, scale, zp)) differ++;
    }
    assertNotEquals(0, differ, "the fused form must differ somewhere, else the mode is moot");
  }

  @Test
  void platformFromOsArch() {
    assertEquals(Platform.ARM64, Platform.of("aarch64"));
    assertEquals(Platform.ARM64, Platform.of("ARM64"));
    assertEquals(Platform.X86_64, Platform.of("amd64"));
    assertEquals(Platform.X86_64, Platform.of("x86_64"));
    assertEquals(Platform.of(System.getProperty("os.arch")), Platform.host());
  }
}
