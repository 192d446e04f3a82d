package org.qat4j.quant.raise;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.qat4j.ir.DType;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.QuantizationInfo;
import org.qat4j.tflite.TensorInfo;

/** Real values of a quantized constant: (q − zero point) · scale, per tensor or per axis. */
final class Dequantize {
  private Dequantize() {}

  /** Whether {@link #values} takes tensors of this type with this quantization. */
  static boolean accepts(TensorInfo t) {
    DType d = t.dtype();
    QuantizationInfo q = t.quantization();
    return (d == DType.INT8 || d == DType.UINT8 || d == DType.INT32) && q != null && q.hasScales();
  }

  static float[] values(ByteBuffer data, TensorInfo t, String where) {
    if (!accepts(t))
      throw new ModelFormatException(
          where, "constant '" + t.name() + "' is " + t.typeName() + " without scales");
    QuantizationInfo q = t.quantization();
    int n = (int) t.elements();
    int[] shape = t.shape();
    int axis = q.perAxis() ? q.quantizedDimension() : -1;
    int inner = 1;
    for (int d = axis + 1; axis >= 0 && d < shape.length; d++) inner *= shape[d];
    int channels = axis >= 0 ? shape[axis] : 1;
    if (q.scales().length != channels || q.zeroPoints().length != channels)
      throw new ModelFormatException(
          where,
          "constant '"
              + t.name()
              + "' has "
              + q.scales().length
              + " scales for "
              + channels
              + " channel(s)");
    ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    float[] r = new float[n];
    for (int i = 0; i < n; i++) {
      int c = axis >= 0 ? (i / inner) % channels : 0;
      long v =
          switch (t.dtype()) {
            case INT8 -> b.get(i);
            case UINT8 -> b.get(i) & 0xFF;
            default -> b.getInt(4 * i);
          };
      r[i] = (float) ((v - q.zeroPoints()[c]) * (double) q.scales()[c]);
    }
    return r;
  }
}
