package org.qat4j.tflite.edgetpu;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.qat4j.ir.DType;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.edgetpu.OpTable.Limit;
import org.qat4j.tflite.edgetpu.OpTable.Row;

/**
 * Judges one operator against {@link OpTable} and the model rules of edgetpu.md §4, ignoring the
 * cut.
 */
final class OpRules {
  /** Largest per-axis RESIZE_BILINEAR upscale factor predicted to map (see resizeUpscale). */
  static final int MAX_BILINEAR_UPSCALE = 8;

  private final TfliteModelInfo model;
  private final SubgraphInfo sg;

  OpRules(TfliteModelInfo model, SubgraphInfo sg) {
    this.model = model;
    this.sg = sg;
  }

  /** Status and reason for {@code op} as if no earlier operator had been left on the CPU. */
  Verdict judge(OperatorInfo op) {
    Row row = OpTable.row(op.opName());
    if (row == null)
      return new Verdict(
          Status.UNSUPPORTED, op.opName() + " is not in the Edge TPU supported-ops table");
    if (!row.supported()) {
      return new Verdict(
          op.opName().equals("DEQUANTIZE") ? Status.DATA_TYPE : Status.UNSUPPORTED, row.note());
    }
    if (op.version() > row.maxVersion()) {
      return new Verdict(
          Status.VERSION,
          "op version "
              + op.version()
              + " > "
              + row.maxVersion()
              + " (highest version the compiler is trusted to map; write minimal op versions)");
    }
    String type = typeProblem(op, row);
    if (type != null) return new Verdict(Status.DATA_TYPE, type);
    String limit = rankProblem(op, row);
    if (limit == null) limit = limitProblem(op, row);
    return limit == null ? Verdict.MAPPED : new Verdict(Status.LIMITATION, limit);
  }

  private String typeProblem(OperatorInfo op, Row row) {
    int[] in = op.inputs();
    for (int i = 0; i < in.length; i++) {
      if (in[i] < 0) continue;
      TensorInfo t = sg.tensor(in[i]);
      if (eightBit(t)) continue;
      if (t.dtype() == DType.INT32 && row.int32Inputs().contains(i)) {
        if (!t.constant()) return "input " + i + " " + describe(t) + " must be constant";
        continue;
      }
      // an LSTM's cell state: variable INT16, fed to the Edge TPU segment as an extra input
      if (t.dtype() == DType.INT16 && row.int16Inputs().contains(i) && !t.constant()) continue;
      return "input "
          + i
          + " "
          + describe(t)
          + " is "
          + t.typeName()
          + "; only INT8/UINT8 (INT32 for bias/shape)";
    }
    for (int o : op.outputs()) {
      TensorInfo t = sg.tensor(o);
      if (!eightBit(t))
        return "output " + describe(t) + " is " + t.typeName() + "; only INT8/UINT8";
    }
    return null;
  }

  private static boolean eightBit(TensorInfo t) {
    return t.dtype() == DType.INT8 || t.dtype() == DType.UINT8;
  }

  /**
   * Activations (not filters/bias, which must be constant): rank ≤ 3, or only the innermost 3 dims
   * may exceed 1.
   */
  private String rankProblem(OperatorInfo op, Row row) {
    int[] in = op.inputs();
    boolean weights = row.limits().contains(Limit.CONSTANT_WEIGHTS);
    for (int k = 0; k < in.length + op.outputs().length; k++) {
      if (weights && (k == 1 || k == 2)) continue;
      int idx = k < in.length ? in[k] : op.outputs()[k - in.length];
      if (idx < 0) continue;
      TensorInfo t = sg.tensor(idx);
      if (t.constant()) continue;
      int[] s = t.shape();
      for (int d = 0; d < s.length - 3; d++) {
        if (s[d] > 1) {
          return "tensor "
              + describe(t)
              + " "
              + Arrays.toString(s)
              + ": with more than 3 dimensions only the innermost 3 may exceed 1";
        }
      }
    }
    return null;
  }

  private String limitProblem(OperatorInfo op, Row row) {
    for (Limit l : row.limits()) {
      String p =
          switch (l) {
            case NO_FUSED_ACTIVATION -> fusedActivation(op);
            case EQUAL_DILATION -> dilation(op);
            case CONSTANT_WEIGHTS -> constantWeights(op);
            case FC_OUTPUT_1D -> fcOutput(op);
            case FC_DEFAULT_WEIGHTS -> fcWeightsFormat(op);
            case AXIS_NOT_BATCH -> axisNotBatch(op);
            case Z_MULTIPLE_OF_4 -> zMultipleOf4(op);
            case PAD_NOT_BATCH -> padNotBatch(op);
            case CONCAT_CONSTANT_INPUTS -> concatConstants(op);
            case RESIZE_UPSCALE -> resizeUpscale(op);
            case TRANSPOSED_WEIGHTS -> transposedWeights(op);
          };
      if (p != null) return p;
    }
    return null;
  }

  private static String fusedActivation(OperatorInfo op) {
    Object a = op.options().get("fused_activation_function");
    return a == null || "NONE".equals(a)
        ? null
        : "fused activation " + a + " is not allowed on " + op.opName();
  }

  private static String dilation(OperatorInfo op) {
    Object h = op.options().getOrDefault("dilation_h_factor", 1);
    Object w = op.options().getOrDefault("dilation_w_factor", 1);
    return h.equals(w) ? null : "dilation " + h + "x" + w + " (h x w): must be equal in x and y";
  }

  private String constantWeights(OperatorInfo op) {
    int[] in = op.inputs();
    String[] names = {"input", "weights", "bias"};
    for (int i = 1; i < Math.min(in.length, 3); i++) {
      if (in[i] >= 0 && !sg.tensor(in[i]).constant()) {
        return names[i]
            + " "
            + describe(sg.tensor(in[i]))
            + " is not constant (parameters must be constant)";
      }
    }
    return null;
  }

  /** TRANSPOSE_CONV: weights (input 1) and bias (input 3) constant; input 2 is the data. */
  private String transposedWeights(OperatorInfo op) {
    int[] in = op.inputs();
    for (int i : new int[] {1, 3}) {
      if (i < in.length && in[i] >= 0 && !sg.tensor(in[i]).constant())
        return (i == 1 ? "weights " : "bias ")
            + describe(sg.tensor(in[i]))
            + " is not constant (parameters must be constant)";
    }
    return null;
  }

  private String fcOutput(OperatorInfo op) {
    if (op.outputs().length != 1)
      return "FULLY_CONNECTED needs exactly one output, has " + op.outputs().length;
    int[] s = sg.tensor(op.outputs()[0]).shape();
    for (int d = 0; d < s.length - 1; d++) {
      if (s[d] != 1)
        return "output shape "
            + Arrays.toString(s)
            + ": FULLY_CONNECTED output must be 1-D ([1, N])";
    }
    return null;
  }

  private static String fcWeightsFormat(OperatorInfo op) {
    Object f = op.options().getOrDefault("weights_format", 0);
    return Integer.valueOf(0).equals(f)
        ? null
        : "weights_format " + f + ": only the DEFAULT weights format maps";
  }

  private String axisNotBatch(OperatorInfo op) {
    int[] axes = constantInts(op, 1);
    if (axes == null) return "axis input is not a constant INT32 tensor";
    if (op.inputs().length == 0 || op.inputs()[0] < 0) return "data input is missing";
    int rank = sg.tensor(op.inputs()[0]).shape().length;
    for (int a : axes) {
      if (a == 0 || a + rank == 0) return "reduces over the batch dimension (axis " + a + ")";
    }
    return null;
  }

  private String zMultipleOf4(OperatorInfo op) {
    int[] axes = constantInts(op, 1);
    if (axes == null || op.inputs()[0] < 0) return null;
    int[] s = sg.tensor(op.inputs()[0]).shape();
    if (s.length == 0) return null;
    for (int a : axes) {
      if ((a == s.length - 1 || a == -1) && s[s.length - 1] % 4 != 0) {
        return "reduces over z (channels " + s[s.length - 1] + "): z must be a multiple of 4";
      }
    }
    return null;
  }

  private String padNotBatch(OperatorInfo op) {
    int[] p = constantInts(op, 1);
    if (p == null) return "paddings input is not a constant INT32 tensor";
    return p.length >= 2 && (p[0] != 0 || p[1] != 0)
        ? "pads the batch dimension (" + p[0] + ", " + p[1] + ")"
        : null;
  }

  private String concatConstants(OperatorInfo op) {
    int[] in = op.inputs();
    for (int i = 0; i < in.length; i++) {
      if (in[i] < 0 || !sg.tensor(in[i]).constant()) continue;
      if (in.length != 2 || !allZero(model.tensorData(sg.index(), in[i]))) {
        return "constant input "
            + i
            + " "
            + describe(sg.tensor(in[i]))
            + ": only allowed with exactly 2 inputs and all-zero data";
      }
    }
    return null;
  }

  /**
   * coral.ai: "depending on input/output size" a bilinear resize stays on the CPU to avoid
   * precision loss. The bound is not published: ×2 maps (edgetpu#31), ×33 does not (1×1 → 33×33,
   * deeplabv3 pair in shared/models/real); we refuse factors above {@link #MAX_BILINEAR_UPSCALE}.
   */
  private String resizeUpscale(OperatorInfo op) {
    if (op.inputs().length == 0 || op.inputs()[0] < 0 || op.outputs().length == 0) return null;
    int[] in = sg.tensor(op.inputs()[0]).shape();
    int[] out = sg.tensor(op.outputs()[0]).shape();
    if (in.length != 4 || out.length != 4) return null;
    for (int d = 1; d <= 2; d++) {
      if (out[d] > MAX_BILINEAR_UPSCALE * in[d]) {
        return "upscales "
            + in[1]
            + "x"
            + in[2]
            + " to "
            + out[1]
            + "x"
            + out[2]
            + " (more than x"
            + MAX_BILINEAR_UPSCALE
            + " per axis): the compiler keeps large bilinear upscales on the CPU to avoid"
            + " precision loss";
      }
    }
    return null;
  }

  private static boolean allZero(ByteBuffer b) {
    while (b.hasRemaining()) if (b.get() != 0) return false;
    return true;
  }

  /**
   * The constant INT32 values of input {@code slot}, or null when absent, non-constant or not
   * INT32.
   */
  private int[] constantInts(OperatorInfo op, int slot) {
    int[] in = op.inputs();
    if (slot >= in.length || in[slot] < 0) return null;
    TensorInfo t = sg.tensor(in[slot]);
    if (!t.constant() || t.dtype() != DType.INT32) return null;
    ByteBuffer b = model.tensorData(sg.index(), in[slot]);
    int[] v = new int[b.remaining() / 4];
    for (int i = 0; i < v.length; i++) v[i] = b.getInt(i * 4);
    return v;
  }

  static String describe(TensorInfo t) {
    return "#" + t.index() + " '" + t.name() + "'";
  }

  /** A status with its reason (empty when mapped). */
  record Verdict(String status, String reason) {
    static final Verdict MAPPED = new Verdict(Status.MAPPED, "");

    boolean mapped() {
      return status.equals(Status.MAPPED);
    }
  }
}
