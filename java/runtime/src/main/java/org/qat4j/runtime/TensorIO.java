package org.qat4j.runtime;

import static org.bytedeco.tensorflowlite.global.tensorflowlite.*;

import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorflowlite.TfLiteAffineQuantization;
import org.bytedeco.tensorflowlite.TfLiteQuantization;
import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;

/**
 * The native half of {@link TensorView}: reads a tensor's metadata and copies between Java arrays
 * and TFLite's memory. Callers ({@link TensorView}) have checked the type; this checks the byte
 * count and the data pointer before each copy.
 */
final class TensorIO {
  private TensorIO() {}

  /** A snapshot of a tensor's metadata; {@code label} names it in messages ("input 0 'x'"). */
  record Meta(
      String label, String name, DType type, int[] shape, long byteSize, QuantParams quantization) {
    long elements() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }

    /** Throws naming the tensor unless a copy of {@code bytes} matches its byte size. */
    void requireBytes(long bytes) {
      if (bytes != byteSize) {
        long elems = bytes / type.bytes();
        throw new IllegalArgumentException(
            this
                + " needs "
                + elements()
                + " elements ("
                + byteSize
                + " bytes), got "
                + elems
                + " elements ("
                + bytes
                + " bytes)");
      }
    }

    @Override
    public String toString() {
      return label + " " + type + Arrays.toString(shape) + " " + describe(quantization);
    }
  }

  static Meta meta(TfLiteTensor t, String role) {
    int code = TfLiteTensorType(t);
    int rank = TfLiteTensorNumDims(t);
    int[] shape = new int[Math.max(rank, 0)];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = TfLiteTensorDim(t, d);
    }
    BytePointer name = TfLiteTensorName(t);
    String n = name == null || name.isNull() ? "" : name.getString();
    String label = role + " '" + n + "'";
    DType type = type(code);
    if (type == null) {
      throw new TfliteException("tensor info", label + " has unsupported TfLiteType " + code);
    }
    return new Meta(label, n, type, shape, TfLiteTensorByteSize(t), quantization(t));
  }

  /**
   * TFLite's C {@code TfLiteType} codes (which differ from the file's TensorType); null when
   * unsupported.
   */
  private static DType type(int code) {
    if (code == kTfLiteFloat32) {
      return DType.FLOAT32;
    } else if (code == kTfLiteFloat16) {
      return DType.FLOAT16;
    } else if (code == kTfLiteInt32) {
      return DType.INT32;
    } else if (code == kTfLiteUInt8) {
      return DType.UINT8;
    } else if (code == kTfLiteInt64) {
      return DType.INT64;
    } else if (code == kTfLiteBool) {
      return DType.BOOL;
    } else if (code == kTfLiteInt16) {
      return DType.INT16;
    } else if (code == kTfLiteInt8) {
      return DType.INT8;
    }
    return null;
  }

  /** "scale=0.5, zp=-1", "per-axis(axis=0, n=8)" or "none" (null: not quantized). */
  static String describe(QuantParams q) {
    if (q == null) return "none";
    return q.perAxis()
        ? "per-axis(axis=" + q.quantizedDimension() + ", n=" + q.scales().length + ")"
        : "scale=" + q.scale() + ", zp=" + q.zeroPoint();
  }

  /**
   * The tensor's affine parameters, or null when it has none; parameters that define no affine map
   * (a scale that is not finite and positive, which the reader allows only on tensors that are not
   * 8-bit) also read as null.
   */
  private static QuantParams quantization(TfLiteTensor t) {
    TfLiteQuantization q = t.quantization();
    if (q != null
        && q.type() == kTfLiteAffineQuantization
        && q.params() != null
        && !q.params().isNull()) {
      TfLiteAffineQuantization a = new TfLiteAffineQuantization(q.params());
      int n = a.scale() == null || a.scale().isNull() ? 0 : a.scale().size();
      int nz = a.zero_point() == null || a.zero_point().isNull() ? 0 : a.zero_point().size();
      if (n > 0) {
        float[] s = new float[n];
        long[] z = new long[n];
        for (int i = 0; i < n; i++) {
          s[i] = a.scale().data(i);
          z[i] = i < nz ? a.zero_point().data(i) : 0;
        }
        return params(s, z, a.quantized_dimension());
      }
    }
    float scale = t.params().scale();
    return params(new float[] {scale}, new long[] {t.params().zero_point()}, 0);
  }

  /** QuantParams of {@code s}, {@code z} on {@code axis}, or null when a scale is not usable. */
  static QuantParams params(float[] s, long[] z, int axis) {
    if (s.length == 0) return null;
    for (float v : s) if (!(v > 0f) || Float.isInfinite(v)) return null;
    return new QuantParams(s, z, axis);
  }

  static void write(TfLiteTensor t, Meta m, float[] src) {
    new FloatPointer(data(t, m, src.length * 4L)).put(src, 0, src.length);
  }

  static void write(TfLiteTensor t, Meta m, int[] src) {
    new IntPointer(data(t, m, src.length * 4L)).put(src, 0, src.length);
  }

  static void write(TfLiteTensor t, Meta m, byte[] src) {
    new BytePointer(data(t, m, src.length)).put(src, 0, src.length);
  }

  static float[] readFloats(TfLiteTensor t, Meta m) {
    float[] out = new float[(int) (m.byteSize() / 4)];
    new FloatPointer(data(t, m, m.byteSize())).get(out);
    return out;
  }

  static int[] readInts(TfLiteTensor t, Meta m) {
    int[] out = new int[(int) (m.byteSize() / 4)];
    new IntPointer(data(t, m, m.byteSize())).get(out);
    return out;
  }

  static byte[] readBytes(TfLiteTensor t, Meta m) {
    if (m.byteSize() > Integer.MAX_VALUE - 16) {
      throw new TfliteException(
          "read " + m.label(), "tensor of " + m.byteSize() + " bytes does not fit a Java array");
    }
    byte[] out = new byte[(int) m.byteSize()];
    new BytePointer(data(t, m, m.byteSize())).get(out);
    return out;
  }

  private static Pointer data(TfLiteTensor t, Meta m, long bytes) {
    m.requireBytes(bytes);
    Pointer p = TfLiteTensorData(t);
    if (p == null || p.isNull()) {
      throw new TfliteException(
          "access " + m.label(), m + " has no data (not allocated or produced by no operator)");
    }
    return p;
  }
}
