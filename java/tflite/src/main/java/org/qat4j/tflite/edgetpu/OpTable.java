package org.qat4j.tflite.edgetpu;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.ir.OpKind;

/**
 * What the EdgeTPU compiler (version 16) maps, as data: one row per operator (edgetpu.md §4).
 * {@code maxVersion} is the highest operator-code version we trust the compiler to map; it is
 * deliberately conservative (higher versions are reported as "Operation version not supported").
 */
final class OpTable {
  private OpTable() {}

  /** Operator-specific limits from the compiler's supported-ops table. */
  enum Limit {
    NO_FUSED_ACTIVATION,
    EQUAL_DILATION,
    CONSTANT_WEIGHTS,
    FC_OUTPUT_1D,
    FC_DEFAULT_WEIGHTS,
    AXIS_NOT_BATCH,
    Z_MULTIPLE_OF_4,
    PAD_NOT_BATCH,
    CONCAT_CONSTANT_INPUTS,
    RESIZE_UPSCALE,
    TRANSPOSED_WEIGHTS
  }

  /**
   * One operator: supported or not, highest mapped version, input slots that may be INT32 (bias or
   * shape/axis parameters; such inputs must be constant), input slots that may be INT16 (an LSTM's
   * variable cell state), limits, and a note for unsupported ops.
   */
  record Row(
      String op,
      boolean supported,
      int maxVersion,
      Set<Integer> int32Inputs,
      Set<Integer> int16Inputs,
      Set<Limit> limits,
      String note) {}

  private static final Map<String, Row> ROWS = new LinkedHashMap<>();

  private static void ok(String op, int maxVersion, List<Integer> int32Inputs, Limit... limits) {
    Set<Limit> l =
        limits.length == 0 ? EnumSet.noneOf(Limit.class) : EnumSet.copyOf(List.of(limits));
    ROWS.put(op, new Row(op, true, maxVersion, Set.copyOf(int32Inputs), Set.of(), l, ""));
  }

  private static void no(String op, String note) {
    ROWS.put(op, new Row(op, false, 0, Set.of(), Set.of(), EnumSet.noneOf(Limit.class), note));
  }

  static {
    List<Integer> none = List.of();
    for (String op :
        List.of(
            "ADD",
            "SUB",
            "MAXIMUM",
            "MINIMUM",
            "LOGISTIC",
            "TANH",
            "RELU",
            "RELU6",
            "L2_NORMALIZATION",
            "SOFTMAX",
            "PACK")) ok(op, 2, none);
    ok("MUL", 3, none);
    ok("RELU_N1_TO_1", 1, none);
    ok("QUANTIZE", 2, none);
    ok("EXPAND_DIMS", 1, List.of(1));
    ok("SQUEEZE", 1, none);
    ok("RESHAPE", 1, List.of(1));
    ok("AVERAGE_POOL_2D", 2, none, Limit.NO_FUSED_ACTIVATION);
    ok("MAX_POOL_2D", 2, none, Limit.NO_FUSED_ACTIVATION);
    ok("CONCATENATION", 2, none, Limit.NO_FUSED_ACTIVATION, Limit.CONCAT_CONSTANT_INPUTS);
    ok("CONV_2D", 3, List.of(2), Limit.CONSTANT_WEIGHTS, Limit.EQUAL_DILATION);
    ok("DEPTHWISE_CONV_2D", 3, List.of(2), Limit.CONSTANT_WEIGHTS, Limit.EQUAL_DILATION);
    ok(
        "FULLY_CONNECTED",
        6,
        List.of(2),
        Limit.CONSTANT_WEIGHTS,
        Limit.FC_OUTPUT_1D,
        Limit.FC_DEFAULT_WEIGHTS);
    ok("MEAN", 2, List.of(1), Limit.AXIS_NOT_BATCH, Limit.Z_MULTIPLE_OF_4);
    ok("REDUCE_MAX", 2, List.of(1), Limit.AXIS_NOT_BATCH);
    ok("REDUCE_MIN", 2, List.of(1), Limit.AXIS_NOT_BATCH);
    ok("PAD", 2, List.of(1), Limit.PAD_NOT_BATCH);
    ok("SLICE", 2, List.of(1, 2));
    ok("STRIDED_SLICE", 2, List.of(1, 2, 3));
    ok("SPLIT", 2, List.of(0));
    // edgetpu#396: int8 RESIZE_BILINEAR (v2) reported "Operation version not supported".
    ok("RESIZE_BILINEAR", 1, List.of(1), Limit.RESIZE_UPSCALE);
    ok("RESIZE_NEAREST_NEIGHBOR", 2, List.of(1));
    no("DEQUANTIZE", "produces float; not supported by the Edge TPU (edgetpu#659)");
    no("FLOOR_MOD", "not supported by the Edge TPU (edgetpu#659)");
    no("TRANSPOSE", "not supported by the Edge TPU (edgetpu#193)");
    no(
        "HARD_SWISH",
        "not supported by the Edge TPU (absent from the compiler's operator list, edgetpu.md §4)");
    no(
        "CAST",
        "not supported by the Edge TPU (absent from the compiler's operator list); runs on the CPU");
    no("ARG_MAX", "not supported by the Edge TPU (absent from the compiler's operator list)");
    no("ARG_MIN", "not supported by the Edge TPU (absent from the compiler's operator list)");
    no("LEAKY_RELU", "not supported by the Edge TPU (absent from the compiler's operator list)");
    no("PRELU", "not supported by the Edge TPU (absent from the compiler's operator list)");
    no("PADV2", "not supported by the Edge TPU (absent from the compiler's operator list)");
    // not in the compiler's supported-ops table (edgetpu.md §4); TILE maps in the
    // keras_lstm_mnist_ptq
    // pair of shared/models/real (issue #13)
    ok("TILE", 3, List.of(1));
    lstm();
    for (String op : List.of("SPLIT_V", "UNPACK", "GATHER", "SUM", "BATCH_MATMUL"))
      no(
          op,
          "not supported by the Edge TPU (absent from the compiler's operator list, edgetpu.md §4)");
    no(
        "SQUARED_DIFFERENCE",
        "not supported by the Edge TPU (absent from the compiler's operator list)");
    no("ELU", "not supported by the Edge TPU (absent from the compiler's operator list)");
    no("GELU", "not supported by the Edge TPU (absent from the compiler's operator list)");
    // coral.ai's table lists TransposeConv; compiler 16 mapped 3 of 4 TF 2.10 TRANSPOSE_CONVs with
    // bias (v3, edgetpu#686); compiler 2.1 did not know v3 (edgetpu#147). v4 (fused activation,
    // TF 2.13) is newer than compiler 16: refused by version. Output shape and bias INT32 constant.
    ok("TRANSPOSE_CONV", 3, List.of(0, 3), Limit.TRANSPOSED_WEIGHTS);
    // every operator qat4j can write needs a verdict (mapped or not), checked once here
    for (OpKind k : OpKind.values()) {
      if (!ROWS.containsKey(k.name()))
        throw new IllegalStateException("Edge TPU table has no row for " + k);
    }
  }

  /**
   * "LSTM: unidirectional only" (edgetpu.md §4). TFLite's input slots: 12-15 the gate biases and 17
   * the projection bias (INT32, constant), 18 the output state (INT8) and 19 the cell state
   * (INT16), both variable: the compiler keeps them as inputs of the Edge TPU segment
   * (keras_lstm_mnist_ptq pair in shared/models/real).
   */
  private static void lstm() {
    String op = "UNIDIRECTIONAL_SEQUENCE_LSTM";
    Set<Integer> int32 = Set.of(12, 13, 14, 15, 17);
    ROWS.put(op, new Row(op, true, 1, int32, Set.of(19), EnumSet.noneOf(Limit.class), ""));
  }

  /**
   * The row for an operator name (builtin name or custom code), or null when the compiler does not
   * know it.
   */
  static Row row(String op) {
    return ROWS.get(op);
  }

  /** All rows in table order (for documentation and tests). */
  static List<Row> rows() {
    return List.copyOf(ROWS.values());
  }
}
