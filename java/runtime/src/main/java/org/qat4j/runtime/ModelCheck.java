package org.qat4j.runtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Java-side validation of untrusted .tflite bytes before anything reaches native code (tflite-format.md §4 checklist:
 * subgraphs and buffers present, every index in range, outputs produced by an op and not on constant buffers,
 * bounded tensor bytes, consistent quantization). Trailing bytes after the flatbuffer are accepted.
 */
final class ModelCheck {
  /** Upper bound of the summed static tensor bytes (guards against 16 GiB "valid" allocations). */
  static final long MAX_TENSOR_BYTES = 1L << 31;

  private static final Map<Integer, String> BUILTIN_NAMES = Map.ofEntries(
      Map.entry(0, "ADD"), Map.entry(1, "AVERAGE_POOL_2D"), Map.entry(2, "CONCATENATION"), Map.entry(3, "CONV_2D"),
      Map.entry(4, "DEPTHWISE_CONV_2D"), Map.entry(6, "DEQUANTIZE"), Map.entry(9, "FULLY_CONNECTED"),
      Map.entry(14, "LOGISTIC"), Map.entry(17, "MAX_POOL_2D"), Map.entry(18, "MUL"), Map.entry(19, "RELU"),
      Map.entry(21, "RELU6"), Map.entry(22, "RESHAPE"), Map.entry(23, "RESIZE_BILINEAR"), Map.entry(25, "SOFTMAX"),
      Map.entry(28, "TANH"), Map.entry(32, "CUSTOM"), Map.entry(34, "PAD"), Map.entry(40, "MEAN"), Map.entry(41, "SUB"),
      Map.entry(43, "SQUEEZE"), Map.entry(45, "STRIDED_SLICE"), Map.entry(114, "QUANTIZE"), Map.entry(117, "HARD_SWISH"));

  private ModelCheck() {
  }

  static String builtinName(int code) {
    return BUILTIN_NAMES.getOrDefault(code, "BUILTIN_" + code);
  }

  /** Validates the bytes; throws {@link TfliteException} (step "model check") naming the first problem. */
  static ModelSummary check(byte[] bytes) {
    if (bytes == null || bytes.length < 8) {
      throw fail("model is " + (bytes == null ? "null" : bytes.length + " bytes") + ", too short for a .tflite file");
    }
    if (bytes[4] != 'T' || bytes[5] != 'F' || bytes[6] != 'L' || bytes[7] != '3') {
      throw fail("file identifier is not \"TFL3\" at bytes 4-7");
    }
    try {
      return checkModel(new FlatView(bytes));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw new TfliteException("model check", "malformed flatbuffer: " + e.getMessage(), e);
    }
  }

  private static ModelSummary checkModel(FlatView f) {
    int m = f.root();
    int version = f.intField(m, 0, 0);
    if (version != 3) {
      throw fail("schema version " + version + ", expected 3");
    }
    int codes = f.vector(m, 1);
    int subgraphs = f.vector(m, 2);
    int buffers = f.vector(m, 4);
    if (subgraphs < 0 || f.length(subgraphs) < 1) {
      throw fail("model has no subgraphs");
    }
    if (buffers < 0 || f.length(buffers) < 1) {
      throw fail("model has no buffers vector");
    }
    List<String> opNames = opcodeNames(f, codes);
    ModelSummary first = null;
    for (int s = 0; s < f.length(subgraphs); s++) {
      ModelSummary sum = checkSubgraph(f, f.tableAt(subgraphs, s), s, buffers, opNames);
      if (first == null) {
        first = sum;
      }
    }
    return first;
  }

  private static List<String> opcodeNames(FlatView f, int codes) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < f.length(codes); i++) {
      int c = f.tableAt(codes, i);
      int code = Math.max(f.byteField(c, 0, 0), f.intField(c, 3, 0));
      names.add(code == 32 ? f.string(c, 1) : builtinName(code));
    }
    return names;
  }

  private static ModelSummary checkSubgraph(FlatView f, int sg, int s, int buffers, List<String> opNames) {
    String where = "subgraph " + s;
    int tensors = f.vector(sg, 0);
    int nt = f.length(tensors);
    boolean[] constant = new boolean[nt];
    List<String> tensorNames = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < nt; i++) {
      int t = f.tableAt(tensors, i);
      tensorNames.add(f.string(t, 3));
      total += checkTensor(f, t, where + " tensor " + i, buffers);
      if (total > MAX_TENSOR_BYTES) {
        throw fail(where + ": tensors need more than " + MAX_TENSOR_BYTES + " bytes");
      }
      constant[i] = isConstant(f, f.intField(t, 2, 0), buffers);
    }
    int[] inputs = indices(f, f.vector(sg, 1), nt, where + " inputs", false);
    int[] outputs = indices(f, f.vector(sg, 2), nt, where + " outputs", false);
    int ops = f.vector(sg, 3);
    Set<Integer> produced = new HashSet<>();
    for (int in : inputs) {
      produced.add(in);
    }
    List<String> names = new ArrayList<>();
    for (int o = 0; o < f.length(ops); o++) {
      int op = f.tableAt(ops, o);
      int idx = f.intField(op, 0, 0);
      if (idx < 0 || idx >= opNames.size()) {
        throw fail(where + " operator " + o + ": opcode index " + idx + " out of range [0," + opNames.size() + ")");
      }
      names.add(opNames.get(idx));
      indices(f, f.vector(op, 1), nt, where + " operator " + o + " inputs", true);
      for (int out : indices(f, f.vector(op, 2), nt, where + " operator " + o + " outputs", false)) {
        if (constant[out]) {
          throw fail(where + " operator " + o + " writes tensor " + out + " which holds constant data");
        }
        produced.add(out);
      }
    }
    for (int out : outputs) {
      if (constant[out]) {
        throw fail(where + " output tensor " + out + " is a constant buffer (TFLite would overwrite model data)");
      }
      if (!produced.contains(out)) {
        throw fail(where + " output tensor " + out + " is produced by no operator");
      }
    }
    return new ModelSummary(nt, names.size(), inputs, outputs, List.copyOf(names), List.copyOf(tensorNames));
  }

  private static long checkTensor(FlatView f, int t, String where, int buffers) {
    int buffer = f.intField(t, 2, 0);
    if (buffer < 0 || buffer >= f.length(buffers)) {
      throw fail(where + ": buffer index " + buffer + " out of range [0," + f.length(buffers) + ")");
    }
    int typeCode = f.byteField(t, 1, 0);
    DataType type = DataType.fromSchema(typeCode);
    int shapeV = f.vector(t, 0);
    int rank = f.length(shapeV);
    long elems = 1;
    int[] shape = new int[rank];
    for (int d = 0; d < rank; d++) {
      shape[d] = f.intAt(shapeV, d);
      if (shape[d] < 0) {
        throw fail(where + ": negative dimension " + shape[d] + " at axis " + d);
      }
      elems = Math.multiplyExact(elems, (long) shape[d]);
      if (elems > MAX_TENSOR_BYTES) {
        throw fail(where + ": element count exceeds " + MAX_TENSOR_BYTES);
      }
    }
    checkQuantization(f, t, where, type, shape);
    return elems * (type == null ? 8 : type.byteSize());
  }

  private static void checkQuantization(FlatView f, int t, String where, DataType type, int[] shape) {
    int qp = f.field(t, 4);
    int q = qp < 0 ? -1 : f.table(qp);
    int scales = q < 0 ? -1 : f.vector(q, 2);
    int zps = q < 0 ? -1 : f.vector(q, 3);
    int ns = f.length(scales);
    boolean needs = type == DataType.INT8 || type == DataType.UINT8;
    if (needs && ns == 0) {
      throw fail(where + ": " + type + " tensor has no quantization parameters");
    }
    if (ns == 0) {
      return;
    }
    for (int i = 0; i < ns; i++) {
      float sc = f.floatAt(scales, i);
      if (!(sc > 0) || Float.isInfinite(sc)) {
        throw fail(where + ": quantization scale[" + i + "] = " + sc + " must be finite and > 0");
      }
    }
    if (f.length(zps) != ns && f.length(zps) != 0) {
      throw fail(where + ": " + ns + " scales but " + f.length(zps) + " zero points");
    }
    if (ns > 1) {
      int axis = f.intField(q, 6, 0);
      if (axis < 0 || axis >= shape.length) {
        throw fail(where + ": quantized_dimension " + axis + " outside rank " + shape.length);
      }
      if (shape[axis] != ns) {
        throw fail(where + ": " + ns + " per-axis scales but dimension " + axis + " has size " + shape[axis]);
      }
    }
  }

  private static boolean isConstant(FlatView f, int buffer, int buffers) {
    if (buffer == 0) {
      return false;
    }
    int b = f.tableAt(buffers, buffer);
    int data = f.vector(b, 0);
    int offField = f.field(b, 1);
    return f.length(data) > 0 || offField >= 0;
  }

  private static int[] indices(FlatView f, int v, int nt, String where, boolean optionalAllowed) {
    int n = f.length(v);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = f.intAt(v, i);
      boolean optional = optionalAllowed && out[i] == -1;
      if (!optional && (out[i] < 0 || out[i] >= nt)) {
        throw fail(where + "[" + i + "] = tensor " + out[i] + " out of range [0," + nt + ")");
      }
    }
    return out;
  }

  private static TfliteException fail(String msg) {
    return new TfliteException("model check", msg);
  }
}
