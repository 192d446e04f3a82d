package org.qat4j.ir.sim;

/**
 * CAST of TFLite's builtin kernel (not yet wired into the op table): a C++ static_cast per element,
 * ignoring any quantization. To float32: exact for 8/16-bit integers, rounded to nearest for int32.
 * From float32 to an integer type: truncation toward zero; a value outside the destination's range
 * is undefined in C and differs between builds (measured on x86: 1e10 → uint8 gives 255), so only
 * in-range results are specified. Integer to integer: two's- complement wrap. Values are raw stored
 * integers (uint8 as 0..255) or floats; arrays are caller-owned.
 */
final class CastKernels {
  private CastKernels() {}

  /** Integer element types CAST converts between here. */
  enum IntType {
    UINT8,
    INT8,
    INT32
  }

  /** Integers (raw values of {@code from}) to float32. */
  static float[] toFloat(int[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) y[i] = x[i];
    return y;
  }

  /** float32 to an integer type. */
  static int[] fromFloat(float[] x, IntType to) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) y[i] = narrow(truncate(x[i]), to);
    return y;
  }

  /** Integer to integer: two's-complement narrowing, as the C conversion does. */
  static int[] between(int[] x, IntType to) {
    int[] y = new int[x.length];
    for (int i = 0; i < x.length; i++) y[i] = narrow(x[i], to);
    return y;
  }

  /** Truncation toward zero (in-range values; see the class comment for the rest). */
  private static int truncate(float f) {
    if (Float.isNaN(f) || f >= 0x1p31f || f < -0x1p31f) return Integer.MIN_VALUE;
    return (int) f;
  }

  private static int narrow(int v, IntType to) {
    return switch (to) {
      case UINT8 -> v & 0xFF;
      case INT8 -> (byte) v;
      case INT32 -> v;
    };
  }
}
