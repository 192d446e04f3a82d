package org.qat4j.tflite;

import java.util.Arrays;
import java.util.List;

/**
 * Semantic checks of a parsed model: the Java-side checklist of tflite-format.md §4 (indices,
 * outputs never written or aliasing constants, buffer size versus shape, quantization, total tensor
 * bytes) plus operator option sanity for the builtins qat4j knows.
 */
final class ModelValidator {
  // TensorType codes of the schema (also read by OperatorChecks)
  static final int FLOAT32 = 0,
      FLOAT16 = 1,
      INT32 = 2,
      UINT8 = 3,
      INT64 = 4,
      STRING = 5,
      INT16 = 7,
      INT8 = 9;
  static final int RESOURCE = 13, VARIANT = 14, INT4 = 17;

  private ModelValidator() {}

  static void validate(TfliteModelInfo m, long maxTensorBytes) {
    long total = 0;
    for (SubgraphInfo s : m.subgraphs()) {
      String w = "subgraph " + s.index();
      for (TensorInfo t : s.tensors()) {
        total += tensorBytes(t, w);
        if (total > maxTensorBytes) {
          throw new ModelFormatException(
              w + ", tensor " + t.index(),
              "tensors need more than the allowed " + maxTensorBytes + " bytes");
        }
      }
      checkGraph(s, w);
      ShapeOpChecks.check(m, s, w);
    }
  }

  static String tensorWhere(String w, TensorInfo t) {
    return w + ", tensor " + t.index() + " '" + t.name() + "'";
  }

  /** Validates one tensor and returns its byte size. */
  private static long tensorBytes(TensorInfo t, String sw) {
    String w = tensorWhere(sw, t);
    int[] shape = t.shape();
    long n = 1;
    for (int d : shape) {
      if (d < 0)
        throw new ModelFormatException(w, "negative dimension in shape " + Arrays.toString(shape));
      n *= d;
      if (n > Integer.MAX_VALUE)
        throw new ModelFormatException(
            w, "element count of shape " + Arrays.toString(shape) + " overflows");
    }
    int type = t.typeCode();
    int eb = BuiltinNames.typeBytes(type);
    boolean variableSize = type == STRING || type == RESOURCE || type == VARIANT;
    if (eb == 0 && !variableSize && type != INT4)
      throw new ModelFormatException(w, "unknown tensor type code " + type);
    long bytes = type == INT4 ? (n + 1) / 2 : n * eb;
    if (t.constant() && !variableSize && t.bufferBytes() != bytes) {
      throw new ModelFormatException(
          w,
          "buffer "
              + t.buffer()
              + " holds "
              + t.bufferBytes()
              + " bytes but shape "
              + Arrays.toString(shape)
              + " of "
              + t.typeName()
              + " needs "
              + bytes);
    }
    checkQuant(t, w);
    return variableSize ? t.bufferBytes() : bytes;
  }

  private static void checkQuant(TensorInfo t, String w) {
    QuantizationInfo q = t.quantization();
    int type = t.typeCode();
    boolean quantType = type == INT8 || type == UINT8 || type == INT16;
    // An 8-bit tensor may be raw integer data (a uint8 image fed to CAST); the operators that
    // compute with its
    // scale require quantization parameters (OperatorChecks.checkQuantizedOperands).
    if (q == null || !q.hasScales()) return;
    float[] scales = q.scales();
    long[] zps = q.zeroPoints();
    int rank = t.shape().length;
    int qd = q.quantizedDimension();
    if (qd < 0 || (qd != 0 && qd >= rank)) {
      throw new ModelFormatException(
          w, "quantized_dimension " + qd + " out of range for rank " + rank);
    }
    if (scales.length > 1 && (rank == 0 || t.shape()[qd] != scales.length)) {
      throw new ModelFormatException(
          w,
          scales.length
              + " per-axis scales but dimension "
              + qd
              + " of shape "
              + Arrays.toString(t.shape())
              + " has size "
              + (rank == 0 ? "none" : t.shape()[qd]));
    }
    if ((quantType || zps.length > 0) && zps.length != scales.length) {
      throw new ModelFormatException(
          w, scales.length + " scales but " + zps.length + " zero points");
    }
    if (!quantType || !q.hasScales()) return;
    for (int i = 0; i < scales.length; i++) {
      if (!(scales[i] > 0f) || Float.isInfinite(scales[i])) {
        throw new ModelFormatException(
            w, "scale[" + i + "] = " + scales[i] + " (must be finite and > 0)");
      }
    }
    long lo = type == UINT8 ? 0 : type == INT8 ? -128 : -32768;
    long hi = type == UINT8 ? 255 : type == INT8 ? 127 : 32767;
    for (int i = 0; i < zps.length; i++) {
      if (zps[i] < lo || zps[i] > hi)
        throw new ModelFormatException(
            w, "zero_point[" + i + "] = " + zps[i] + " outside " + t.typeName() + " range");
    }
  }

  private static void checkGraph(SubgraphInfo s, String w) {
    List<TensorInfo> ts = s.tensors();
    int n = ts.size();
    boolean[] available = new boolean[n];
    int[] writer = new int[n];
    Arrays.fill(writer, -1);
    for (TensorInfo t : ts) available[t.index()] = t.constant() || t.variable();
    int[] in = s.inputs();
    for (int i = 0; i < in.length; i++) {
      String iw = w + ", input " + i;
      index(in[i], n, iw, false);
      if (ts.get(in[i]).constant())
        throw new ModelFormatException(
            iw,
            "tensor " + in[i] + " '" + ts.get(in[i]).name() + "' is a constant (has buffer data)");
      available[in[i]] = true;
    }
    for (OperatorInfo op : s.operators())
      checkOperator(
          s, op, w + ", operator " + op.index() + " (" + op.opName() + ")", available, writer);
    int[] out = s.outputs();
    for (int i = 0; i < out.length; i++) {
      String ow = w + ", output " + i;
      index(out[i], n, ow, false);
      TensorInfo t = ts.get(out[i]);
      if (t.constant())
        throw new ModelFormatException(
            ow, "tensor " + out[i] + " '" + t.name() + "' aliases constant buffer " + t.buffer());
      if (!available[out[i]])
        throw new ModelFormatException(
            ow, "tensor " + out[i] + " '" + t.name() + "' is never written by any operator");
    }
  }

  private static void checkOperator(
      SubgraphInfo s, OperatorInfo op, String w, boolean[] available, int[] writer) {
    List<TensorInfo> ts = s.tensors();
    if (op.version() < 1)
      throw new ModelFormatException(w, "operator version " + op.version() + " < 1");
    if (op.custom() && op.customCode().isEmpty())
      throw new ModelFormatException(w, "CUSTOM operator without custom_code");
    int[] in = op.inputs();
    for (int k = 0; k < in.length; k++) {
      if (in[k] == -1) continue; // omitted optional input
      index(in[k], ts.size(), w + ", input " + k, false);
      if (!available[in[k]]) {
        throw new ModelFormatException(
            w + ", input " + k,
            "reads tensor "
                + in[k]
                + " '"
                + ts.get(in[k]).name()
                + "' before any operator writes it");
      }
    }
    int[] out = op.outputs();
    for (int k = 0; k < out.length; k++) {
      String ow = w + ", output " + k;
      index(out[k], ts.size(), ow, false);
      TensorInfo t = ts.get(out[k]);
      for (int x : in)
        if (x == out[k]) throw new ModelFormatException(ow, "writes its own input tensor " + x);
      if (t.constant() && !t.variable())
        throw new ModelFormatException(
            ow,
            "writes tensor "
                + out[k]
                + " '"
                + t.name()
                + "' which is constant (buffer "
                + t.buffer()
                + ")");
      if (writer[out[k]] >= 0)
        throw new ModelFormatException(
            ow, "tensor " + out[k] + " is already written by operator " + writer[out[k]]);
      if (available[out[k]] && !t.variable())
        throw new ModelFormatException(ow, "writes subgraph input tensor " + out[k]);
      writer[out[k]] = op.index();
    }
    for (int o : out) available[o] = true;
    OperatorChecks.check(s, op, w);
  }

  static void index(int i, int n, String w, boolean optional) {
    if (optional && i == -1) return;
    if (i < 0 || i >= n)
      throw new ModelFormatException(w, "tensor index " + i + " out of range [0, " + n + ")");
  }
}
