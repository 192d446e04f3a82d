package org.qat4j.ir;

/** Element types of lowered tensors, numbered as TFLite's TensorType enum. */
public enum DType {
  FLOAT32(0, 4), INT32(2, 4), UINT8(3, 1), INT64(4, 8), INT16(7, 2), INT8(9, 1);

  private final int tfliteCode;
  private final int bytes;

  DType(int tfliteCode, int bytes) { this.tfliteCode = tfliteCode; this.bytes = bytes; }

  public int tfliteCode() { return tfliteCode; }
  public int bytes() { return bytes; }

  public static DType fromTflite(int code) {
    for (DType d : values()) if (d.tfliteCode == code) return d;
    throw new IllegalArgumentException("unsupported tensor type code " + code);
  }
}
