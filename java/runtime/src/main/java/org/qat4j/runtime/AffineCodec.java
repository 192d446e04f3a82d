package org.qat4j.runtime;

import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;

/**
 * Per-tensor quantize/dequantize with TFLite's rounding (round half away from zero) and type
 * saturation.
 */
final class AffineCodec {
  private AffineCodec() {}

  /** Real values to int8/uint8 bytes: q = clamp(round(x / scale) + zeroPoint). */
  static byte[] quantize(float[] real, QuantParams q, DType type) {
    requirePerTensor(q);
    float scale = q.scale();
    long zp = q.zeroPoint();
    int lo = type == DType.INT8 ? -128 : type == DType.UINT8 ? 0 : fail(type);
    int hi = lo + 255;
    byte[] out = new byte[real.length];
    for (int i = 0; i < real.length; i++) {
      double x = (double) real[i] / scale;
      long v = x < 0 ? -Math.round(-x) : Math.round(x);
      long qv = Math.max(lo, Math.min(hi, v + zp));
      out[i] = (byte) qv;
    }
    return out;
  }

  /** int8/uint8 bytes to real values: x = scale * (q - zeroPoint). */
  static float[] dequantize(byte[] data, QuantParams q, DType type) {
    requirePerTensor(q);
    float scale = q.scale();
    long zp = q.zeroPoint();
    if (type != DType.INT8 && type != DType.UINT8) {
      fail(type);
    }
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      out[i] = scale * (value(data[i], type) - zp);
    }
    return out;
  }

  /** Integer value of one int8/uint8 element. */
  static int value(byte b, DType type) {
    return type == DType.UINT8 ? b & 0xff : b;
  }

  private static void requirePerTensor(QuantParams q) {
    if (q == null) throw new IllegalStateException("tensor is not quantized");
    if (q.perAxis())
      throw new IllegalStateException(
          "tensor is per-axis quantized ("
              + q.scales().length
              + " scales on axis "
              + q.quantizedDimension()
              + ")");
  }

  private static int fail(DType type) {
    throw new IllegalArgumentException("quantize/dequantize needs INT8 or UINT8, got " + type);
  }
}
