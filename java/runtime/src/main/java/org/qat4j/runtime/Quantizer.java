package org.qat4j.runtime;

/** Per-tensor quantize/dequantize with TFLite's rounding (round half away from zero) and type saturation. */
public final class Quantizer {
  private Quantizer() {
  }

  /** Real values to int8/uint8 bytes: q = clamp(round(x / scale) + zeroPoint). */
  public static byte[] quantize(float[] real, Quantization q, DataType type) {
    float scale = q.scale();
    int zp = q.zeroPoint();
    int lo = type == DataType.INT8 ? -128 : type == DataType.UINT8 ? 0 : fail(type);
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
  public static float[] dequantize(byte[] data, Quantization q, DataType type) {
    float scale = q.scale();
    int zp = q.zeroPoint();
    if (type != DataType.INT8 && type != DataType.UINT8) {
      fail(type);
    }
    float[] out = new float[data.length];
    for (int i = 0; i < data.length; i++) {
      int v = type == DataType.INT8 ? data[i] : data[i] & 0xff;
      out[i] = scale * (v - zp);
    }
    return out;
  }

  /** Integer value of element i of an int8/uint8 byte array. */
  public static int value(byte b, DataType type) {
    return type == DataType.UINT8 ? b & 0xff : b;
  }

  private static int fail(DataType type) {
    throw new IllegalArgumentException("quantize/dequantize needs INT8 or UINT8, got " + type);
  }
}
