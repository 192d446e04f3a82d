package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * CAST of TFLite's builtin kernel: a C++ static_cast per element, ignoring any quantization. To
 * float32: exact for 8/16-bit integers, rounded to nearest for int32. From float32 to an integer
 * type: truncation toward zero; a value outside the destination's range is undefined in C and
 * differs between builds (measured on x86: 1e10 → uint8 gives 255), so only in-range results are
 * specified. Integer to integer: two's- complement wrap. Values are raw stored integers (uint8 as
 * 0..255) or floats; arrays are caller-owned.
 */
final class CastKernels {
  private CastKernels() {}

  /** The kernel of one CAST op between FLOAT32, INT32, INT8 and UINT8 (any pair). */
  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    if (op.inputs().length != 1)
      throw new IllegalArgumentException("needs 1 input, got " + op.inputs().length);
    TensorSpec x = g.tensor(op.inputs()[0]), y = g.tensor(op.outputs()[0]);
    if (x.elements() != y.elements())
      throw new IllegalArgumentException(
          "output '" + y.name() + "' has " + y.elements() + " elements, input " + x.elements());
    int xi = op.inputs()[0], yi = op.outputs()[0];
    boolean fromFloat = x.type() == DType.FLOAT32, toFloat = y.type() == DType.FLOAT32;
    if (!fromFloat) intType(x); // refuses types the kernel does not convert
    IntType to = toFloat ? null : intType(y);
    return v -> {
      Object r;
      if (fromFloat && toFloat) r = ((float[]) v[xi]).clone();
      else if (toFloat) r = toFloat((int[]) v[xi]);
      else if (fromFloat) r = fromFloat((float[]) v[xi], to);
      else r = between((int[]) v[xi], to);
      System.arraycopy(r, 0, v[yi], 0, y.elements());
    };
  }

  private static IntType intType(TensorSpec t) {
    return switch (t.type()) {
      case UINT8 -> IntType.UINT8;
      case INT8 -> IntType.INT8;
      case INT32 -> IntType.INT32;
      case FLOAT32, FLOAT16, INT64, BOOL, INT16 ->
          throw new IllegalArgumentException(
              "CAST of '" + t.name() + "' (" + t.type() + ") is not simulated");
    };
  }

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
