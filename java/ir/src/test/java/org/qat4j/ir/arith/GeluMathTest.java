package org.qat4j.ir.arith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** erfc against tabulated values, across its branch points, and GELU's two float32 forms. */
class GeluMathTest {
  // erfc(z) to 16+ digits (Abramowitz & Stegun table 7.1 / any arbitrary-precision tool)
  private static final double[][] ERFC = {
    {0.0, 1.0},
    {0.5, 0.47950012218695346232},
    {1.0, 0.15729920705028513066},
    {2.0, 0.0046777349810472658379},
    {2.5, 0.00040695201744495893956},
    {3.0, 2.2090496998585441373e-05},
    {5.0, 1.5374597944280348502e-12},
    {10.0, 2.0884875837625447570e-45},
    {-1.0, 1.8427007929497148693},
    {-3.0, 1.9999779095030014146},
  };

  @Test
  void erfcMatchesTableToDoublePrecision() {
    for (double[] row : ERFC) {
      double got = GeluMath.erfc(row[0]);
      assertEquals(row[1], got, Math.abs(row[1]) * 1e-14, "erfc(" + row[0] + ")");
    }
  }

  @Test
  void erfcIsMonotoneAndContinuousAcrossItsBranches() {
    // float steps through the series/continued-fraction switch at 1 and through 0
    for (float start : new float[] {0.99f, -0.01f}) {
      float z = start;
      double prev = GeluMath.erfc((double) z);
      for (int i = 0; i < 200_000; i++) {
        z = Math.nextUp(z);
        double e = GeluMath.erfc((double) z);
        assertTrue(e <= prev, "erfc rises at " + z);
        assertTrue(prev - e < 1e-6, "erfc jumps at " + z);
        prev = e;
      }
    }
    assertEquals(0.0, GeluMath.erfc(30.0));
    assertEquals(2.0, GeluMath.erfc(-30.0));
    assertTrue(Double.isNaN(GeluMath.erfc(Double.NaN)));
  }

  @Test
  void geluFormsAgreeWithTheirDefinitions() {
    for (float x = -6f; x <= 6f; x += 0.0625f) {
      double exact = 0.5 * x * GeluMath.erfc(-x / Math.sqrt(2));
      double c = Math.sqrt(2 / Math.PI);
      double approx = 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x)));
      assertEquals(exact, GeluMath.of(x, false), 1e-6 * Math.max(1, Math.abs(x)), "erf " + x);
      assertEquals(approx, GeluMath.of(x, true), 1e-6 * Math.max(1, Math.abs(x)), "tanh " + x);
      double h = 1e-4;
      for (boolean a : new boolean[] {false, true}) {
        double num =
            (GeluMath.of(x + (float) h, a) - (double) GeluMath.of(x - (float) h, a)) / (2 * h);
        assertEquals(num, GeluMath.derivative(x, a), 5e-3, "derivative at " + x);
      }
    }
  }
}
