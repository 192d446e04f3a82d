package org.qat4j.ir;

/**
 * The element type of a tensor, the one spelling shared by every module (IR, writer, reader,
 * runtime). Numbered as the .tflite file's TensorType enum; the runtime maps TFLite's C {@code
 * TfLiteType} codes onto it. BOOL and FLOAT16 appear only in models read from elsewhere: the
 * lowered IR and the simulator do not use them.
 */
public enum DType {
  FLOAT32(0, 4),
  FLOAT16(1, 2),
  INT32(2, 4),
  UINT8(3, 1),
  INT64(4, 8),
  BOOL(6, 1),
  INT16(7, 2),
  INT8(9, 1);

  private final int tfliteCode;
  private final int bytes;

  DType(int tfliteCode, int bytes) {
    this.tfliteCode = tfliteCode;
    this.bytes = bytes;
  }

  public int tfliteCode() {
    return tfliteCode;
  }

  public int bytes() {
    return bytes;
  }

  public static DType fromTflite(int code) {
    for (DType d : values()) if (d.tfliteCode == code) return d;
    throw new IllegalArgumentException("unsupported tensor type code " + code);
  }

  /** True for the types a lowered graph may hold (BOOL and FLOAT16 are runtime-only). */
  public boolean lowered() {
    return this != BOOL && this != FLOAT16;
  }
}
