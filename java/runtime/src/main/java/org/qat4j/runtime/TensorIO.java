package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorByteSize;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorData;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorDim;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorName;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorNumDims;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.TfLiteTensorType;
import static org.bytedeco.tensorflowlite.global.tensorflowlite.kTfLiteAffineQuantization;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteAffineQuantization;
import org.bytedeco.tensorflowlite.TfLiteQuantization;
import org.bytedeco.tensorflowlite.TfLiteTensor;

/** Checked copies between Java arrays and TFLite tensor memory: type, element count and data pointer are verified first. */
final class TensorIO {
  private TensorIO() {
  }

  static TensorInfo info(TfLiteTensor t, int index) {
    int code = TfLiteTensorType(t);
    DataType type = DataType.fromCode(code);
    int rank = TfLiteTensorNumDims(t);
    int[] shape = new int[Math.max(rank, 0)];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = TfLiteTensorDim(t, d);
    }
    BytePointer name = TfLiteTensorName(t);
    String n = name == null || name.isNull() ? "" : name.getString();
    if (type == null) {
      throw new TfliteException("tensor info", "tensor #" + index + " '" + n + "' has unsupported TfLiteType " + code);
    }
    return new TensorInfo(index, n, type, shape, TfLiteTensorByteSize(t), quantization(t));
  }

  private static Quantization quantization(TfLiteTensor t) {
    TfLiteQuantization q = t.quantization();
    if (q != null && q.type() == kTfLiteAffineQuantization && q.params() != null && !q.params().isNull()) {
      TfLiteAffineQuantization a = new TfLiteAffineQuantization(q.params());
      int n = a.scale() == null || a.scale().isNull() ? 0 : a.scale().size();
      int nz = a.zero_point() == null || a.zero_point().isNull() ? 0 : a.zero_point().size();
      if (n > 0) {
        float[] s = new float[n];
        int[] z = new int[n];
        for (int i = 0; i < n; i++) {
          s[i] = a.scale().data(i);
          z[i] = i < nz ? a.zero_point().data(i) : 0;
        }
        return new Quantization(s, z, a.quantized_dimension());
      }
    }
    float scale = t.params().scale();
    return scale > 0 ? new Quantization(new float[] {scale}, new int[] {t.params().zero_point()}, 0) : Quantization.NONE;
  }

  static void write(TfLiteTensor t, TensorInfo info, String what, float[] src) {
    requireType(info, what, "float[]", DataType.FLOAT32);
    new FloatPointer(data(t, info, what, src.length * 4L)).put(src, 0, src.length);
  }

  static void write(TfLiteTensor t, TensorInfo info, String what, int[] src) {
    requireType(info, what, "int[]", DataType.INT32);
    new IntPointer(data(t, info, what, src.length * 4L)).put(src, 0, src.length);
  }

  static void write(TfLiteTensor t, TensorInfo info, String what, byte[] src) {
    requireType(info, what, "byte[]", DataType.INT8, DataType.UINT8, DataType.BOOL);
    new BytePointer(data(t, info, what, src.length)).put(src, 0, src.length);
  }

  /** Raw bytes (little-endian element order) from the buffer's position to its limit; position is not changed. */
  static void write(TfLiteTensor t, TensorInfo info, String what, ByteBuffer src) {
    byte[] tmp = new byte[src.remaining()];
    src.duplicate().get(tmp);
    new BytePointer(data(t, info, what, tmp.length)).put(tmp, 0, tmp.length);
  }

  static float[] readFloats(TfLiteTensor t, TensorInfo info, String what) {
    requireType(info, what, "float[]", DataType.FLOAT32);
    float[] out = new float[(int) (info.byteSize() / 4)];
    new FloatPointer(data(t, info, what, info.byteSize())).get(out);
    return out;
  }

  static int[] readInts(TfLiteTensor t, TensorInfo info, String what) {
    requireType(info, what, "int[]", DataType.INT32);
    int[] out = new int[(int) (info.byteSize() / 4)];
    new IntPointer(data(t, info, what, info.byteSize())).get(out);
    return out;
  }

  static byte[] readBytes(TfLiteTensor t, TensorInfo info, String what) {
    requireType(info, what, "byte[]", DataType.INT8, DataType.UINT8, DataType.BOOL);
    return readRaw(t, info, what);
  }

  static byte[] readRaw(TfLiteTensor t, TensorInfo info, String what) {
    if (info.byteSize() > Integer.MAX_VALUE - 16) {
      throw new TfliteException("read " + what, "tensor of " + info.byteSize() + " bytes does not fit a Java array");
    }
    byte[] out = new byte[(int) info.byteSize()];
    new BytePointer(data(t, info, what, info.byteSize())).get(out);
    return out;
  }

  private static Pointer data(TfLiteTensor t, TensorInfo info, String what, long bytes) {
    if (bytes != info.byteSize()) {
      long elems = info.type().byteSize() == 0 ? 0 : bytes / info.type().byteSize();
      throw new IllegalArgumentException(what + " " + info + " needs " + info.elementCount() + " elements ("
          + info.byteSize() + " bytes), got " + elems + " elements (" + bytes + " bytes)");
    }
    Pointer p = TfLiteTensorData(t);
    if (p == null || p.isNull()) {
      throw new TfliteException("access " + what, info + " has no data (not allocated or produced by no operator)");
    }
    return p;
  }

  private static void requireType(TensorInfo info, String what, String javaType, DataType... allowed) {
    for (DataType a : allowed) {
      if (info.type() == a) {
        return;
      }
    }
    throw new IllegalArgumentException(what + " " + info + " is " + info.type() + "; " + javaType + " needs "
        + Arrays.toString(allowed));
  }
}
