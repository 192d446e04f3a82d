package org.qat4j.tflite;

import java.util.EnumMap;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * Minimal operator versions for what the writer emits (tflite-format.md §1, from TFLite's
 * op_version.cc) and the minimum runtime each needs (runtime_version.cc). The EdgeTPU compiler
 * rejects versions it does not know, so never write more than needed.
 */
final class OpVersions {
  private OpVersions() {}

  /**
   * Minimum runtime per "OP:version". int8 rows come from the spec; the version-1 rows (float and
   * uint8 kernels) are TFLite's runtime_version.cc values — consistent with the shared MobileNet,
   * whose version-1 CONV/DEPTHWISE/AVERAGE_POOL/RESHAPE/SOFTMAX model records "1.5.0".
   */
  private static final Map<OpKind, Map<Integer, String>> RUNTIME = new EnumMap<>(OpKind.class);

  static {
    for (OpKind k : OpKind.values()) RUNTIME.put(k, runtimes(k));
  }

  /** "version=runtime" pairs of one operator; no default, so a new kind must list its versions here. */
  private static Map<Integer, String> runtimes(OpKind k) {
    return switch (k) {
      case ADD, AVERAGE_POOL_2D, CONCATENATION, LOGISTIC, MAX_POOL_2D, RELU6, SOFTMAX, PAD -> Map.of(1, "1.5.0", 2, "1.14.0");
      case CONV_2D -> Map.of(1, "1.5.0", 3, "1.14.0");
      case DEPTHWISE_CONV_2D -> Map.of(1, "1.5.0", 2, "1.12.0", 3, "1.14.0");
      case DEQUANTIZE -> Map.of(1, "1.13.1", 2, "1.14.0");
      case FULLY_CONNECTED -> Map.of(1, "1.5.0", 4, "1.14.0", 5, "2.0.0", 6, "2.1.0");
      case MUL -> Map.of(1, "1.5.0", 2, "1.14.0", 3, "1.15.0");
      case RELU -> Map.of(1, "1.5.0", 2, "2.1.0");
      case RESHAPE -> Map.of(1, "1.5.0");
      case MEAN -> Map.of(1, "1.6.0", 2, "1.14.0");
      case QUANTIZE -> Map.of(1, "1.14.0", 3, "2.3.0");
      case HARD_SWISH -> Map.of(1, "1.15.0");
    };
  }

  static String runtime(OpKind k, int version) {
    String r = RUNTIME.get(k).get(version);
    if (r == null) throw new IllegalStateException("no runtime version known for " + k + " v" + version);
    return r;
  }

  /** Orders "a.b.c" version strings numerically. */
  static int compareRuntime(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (c != 0) return c;
    }
    return 0;
  }

  static int version(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    TensorSpec first = in.length > 0 ? tensor(g, in[0]) : null;
    DType t = first == null ? DType.FLOAT32 : first.type();
    boolean int8 = t == DType.INT8;
    return switch (op.kind()) {
      case CONV_2D -> int8 ? 3 : 1;
      case DEPTHWISE_CONV_2D -> int8 ? 3 : dilated(op.options(OpOptions.Depthwise.class)) ? 2 : 1;
      case FULLY_CONNECTED -> in.length == 2 ? 6 : int8 ? 4 : 1;
      case ADD, AVERAGE_POOL_2D, MAX_POOL_2D, CONCATENATION, SOFTMAX, MEAN, RELU6, PAD, LOGISTIC, RELU -> int8 ? 2 : 1;
      case MUL -> !int8 ? 1 : mulScaleRatio(g, op) >= 1 ? 3 : 2;
      case QUANTIZE -> quantizeVersion(g, op);
      case DEQUANTIZE -> int8 ? 2 : 1;
      case RESHAPE, HARD_SWISH -> 1;
    };
  }

  private static boolean dilated(OpOptions.Window o) { return o.dilationH() != 1 || o.dilationW() != 1; }

  /** The tensor at {@code i}, or null when the (not yet validated) index is out of range. */
  private static TensorSpec tensor(LoweredGraph g, int i) {
    return i >= 0 && i < g.tensors().size() ? g.tensor(i) : null;
  }

  private static int quantizeVersion(LoweredGraph g, OpSpec op) {
    TensorSpec out = op.outputs().length > 0 ? tensor(g, op.outputs()[0]) : null;
    return out != null && out.quant() != null && out.quant().perAxis() ? 3 : 1;
  }

  private static double mulScaleRatio(LoweredGraph g, OpSpec op) {
    TensorSpec a = op.inputs().length > 1 ? tensor(g, op.inputs()[0]) : null;
    TensorSpec b = op.inputs().length > 1 ? tensor(g, op.inputs()[1]) : null;
    TensorSpec out = op.outputs().length > 0 ? tensor(g, op.outputs()[0]) : null;
    if (a == null || b == null || out == null || a.quant() == null || b.quant() == null || out.quant() == null) return 0;
    return (double) a.quant().scale() * b.quant().scale() / out.quant().scale();
  }
}
