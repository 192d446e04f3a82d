package org.qat4j.tflite;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * Minimal operator versions for what the writer emits and the minimum runtime each needs, from the
 * per-operator rules in {@link TfliteOps}. The EdgeTPU compiler rejects versions it does not know,
 * so never write more than needed.
 */
final class OpVersions {
  private OpVersions() {}

  private static final Map<OpKind, Map<Integer, String>> RUNTIME = new EnumMap<>(OpKind.class);

  static {
    for (OpKind k : OpKind.values()) RUNTIME.put(k, TfliteOps.runtimes(k));
  }

  static String runtime(OpKind k, int version) {
    String r = RUNTIME.get(k).get(version);
    if (r == null)
      throw new IllegalStateException("no runtime version known for " + k + " v" + version);
    return r;
  }

  /** Orders "a.b.c" version strings numerically. */
  static int compareRuntime(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int c =
          Integer.compare(
              i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
      if (c != 0) return c;
    }
    return 0;
  }

  static int version(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    TensorSpec first = in.length > 0 ? tensor(g, in[0]) : null;
    boolean int8 = first != null && first.type() == DType.INT8;
    return TfliteOps.version(g, op, int8);
  }

  /** The tensor at {@code i}, or null when the (not yet validated) index is out of range. */
  private static TensorSpec tensor(LoweredGraph g, int i) {
    return i >= 0 && i < g.tensors().size() ? g.tensor(i) : null;
  }

  /** Whether a QUANTIZE writes per-axis parameters (version 3). */
  static boolean perAxisOutput(LoweredGraph g, OpSpec op) {
    TensorSpec out = op.outputs().length > 0 ? tensor(g, op.outputs()[0]) : null;
    return out != null && out.quant() != null && out.quant().perAxis();
  }

  static double mulScaleRatio(LoweredGraph g, OpSpec op) {
    TensorSpec a = op.inputs().length > 1 ? tensor(g, op.inputs()[0]) : null;
    TensorSpec b = op.inputs().length > 1 ? tensor(g, op.inputs()[1]) : null;
    TensorSpec out = op.outputs().length > 0 ? tensor(g, op.outputs()[0]) : null;
    if (a == null
        || b == null
        || out == null
        || a.quant() == null
        || b.quant() == null
        || out.quant() == null) return 0;
    return (double) a.quant().scale() * b.quant().scale() / out.quant().scale();
  }

  /** Whether an input or output of {@code op} has type {@code t} (CAST's version 3: INT8). */
  static boolean touchesType(LoweredGraph g, OpSpec op, DType t) {
    for (int[] group : new int[][] {op.inputs(), op.outputs()})
      for (int i : group)
        if (i >= 0 && i < g.tensors().size() && g.tensor(i).type() == t) return true;
    return false;
  }

  /** PADV2's version 4: an input of more than 4 dimensions. */
  static boolean rankAbove4(LoweredGraph g, OpSpec op) {
    int i = op.inputs().length > 0 ? op.inputs()[0] : -1;
    return i >= 0 && i < g.tensors().size() && g.tensor(i).shape().length > 4;
  }

  /** SUB's version 3: inputs of different shapes with more than 4 dimensions. */
  static boolean broadcastsAbove4d(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    if (in.length < 2 || Math.min(in[0], in[1]) < 0 || Math.max(in[0], in[1]) >= g.tensors().size())
      return false;
    int[] a = g.tensor(in[0]).shape(), b = g.tensor(in[1]).shape();
    return !Arrays.equals(a, b) && Math.max(a.length, b.length) > 4;
  }

  static boolean dilated(OpOptions.Window o) {
    return o.dilationH() != 1 || o.dilationW() != 1;
  }

  /**
   * TRANSPOSE_CONV (op_version.cc): 4 with a fused activation, 3 with a bias, 2 with INT8 weights,
   * else 1 (float and uint8).
   */
  static int transposeConv(LoweredGraph g, OpSpec op) {
    if (op.options().activation() != FusedActivation.NONE) return 4;
    int[] in = op.inputs();
    if (in.length > 3 && in[3] >= 0) return 3;
    TensorSpec w = in.length > 1 ? tensor(g, in[1]) : null;
    return w != null && w.type() == DType.INT8 ? 2 : 1;
  }
}
