package org.qat4j.runtime;

/** TFLite tensor element types with their C API codes (TfLiteType) and byte sizes. */
public enum DataType {
  FLOAT32(1, 4), INT32(2, 4), UINT8(3, 1), INT64(4, 8), BOOL(6, 1), INT16(7, 2), INT8(9, 1), FLOAT16(10, 2);

  private final int code;
  private final int bytes;

  DataType(int code, int bytes) {
    this.code = code;
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int byteSize() {
    return bytes;
  }

  /** The TfLiteType code. */
  public int code() {
    return code;
  }

  /** Maps a TfLiteType code; null when the type has no fixed-size Java mapping (string, resource, …). */
  static DataType fromCode(int code) {
    for (DataType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }

  /** Maps a schema TensorType (the .tflite file's enum, which differs from TfLiteType); null if unsupported. */
  static DataType fromSchema(int schemaType) {
    switch (schemaType) {
      case 0: return FLOAT32;
      case 1: return FLOAT16;
      case 2: return INT32;
      case 3: return UINT8;
      case 4: return INT64;
      case 6: return BOOL;
      case 7: return INT16;
      case 9: return INT8;
      default: return null;
    }
  }
}
