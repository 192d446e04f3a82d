package org.qat4j.quant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Layer type → {@link Treatment} rows, as data; unknown types are unsupported. */
public final class QuantizeRegistry {
  /** One row: the layer type, its treatment, and for UNSUPPORTED the reason shown to users. */
  public record Row(String type, Treatment treatment, String note) {}

  /** How LSTM and GRU quantize and lower. */
  static final String RECURRENT_NOTE =
      "per-tensor kernels, one range per role of the unrolled cell shared over steps; int8"
          + " FULLY_CONNECTED, ADD, SPLIT, LOGISTIC/TANH, MUL, SUB per step";

  private final Map<String, Row> rows = new LinkedHashMap<>();

  public QuantizeRegistry(List<Row> rows) {
    for (Row r : rows) this.rows.put(r.type(), r);
  }

  /** The 8-bit TFLite rows (also used by the n-bit scheme). */
  public static QuantizeRegistry defaults() {
    List<Row> all = new ArrayList<>(imageRows());
    all.addAll(newerRows());
    return new QuantizeRegistry(all);
  }

  private static List<Row> imageRows() {
    return List.of(
        new Row("Input", Treatment.INPUT, ""),
        new Row("Conv2D", Treatment.WEIGHTS_AND_OUTPUT, "per-axis kernel"),
        new Row(
            "DepthwiseConv2D",
            Treatment.WEIGHTS_AND_OUTPUT,
            "per-axis kernel over in·mult channels"),
        new Row("Dense", Treatment.WEIGHTS_AND_OUTPUT, "per-tensor kernel"),
        new Row("Add", Treatment.OUTPUT, ""),
        new Row("Multiply", Treatment.OUTPUT, ""),
        new Row("ReLU", Treatment.OUTPUT, ""),
        new Row("ReLU6", Treatment.OUTPUT, ""),
        new Row("HardSwish", Treatment.OUTPUT, ""),
        new Row("GlobalAveragePooling2D", Treatment.OUTPUT, "MEAN requantizes"),
        new Row("AveragePool2D", Treatment.SHARE_INPUT_RANGE, ""),
        new Row("MaxPool2D", Treatment.PASS_THROUGH, ""),
        new Row("GlobalMaxPooling2D", Treatment.PASS_THROUGH, ""),
        new Row("Flatten", Treatment.PASS_THROUGH, ""),
        new Row("Reshape", Treatment.PASS_THROUGH, ""),
        new Row("ZeroPadding2D", Treatment.PASS_THROUGH, ""),
        new Row("Dropout", Treatment.PASS_THROUGH, ""),
        new Row("Softmax", Treatment.FIXED_OUTPUT, ""),
        new Row("Sigmoid", Treatment.FIXED_OUTPUT, ""),
        new Row("Concatenate", Treatment.CONCAT, ""),
        new Row(
            "BatchNormalization",
            Treatment.OUTPUT,
            "folded into a directly preceding Conv2D, DepthwiseConv2D or Dense whose output has no other consumer; elsewhere MUL and ADD by per-channel constants"));
  }

  /** Merge, activation, sequence and resampling layers (issue 14). */
  private static List<Row> newerRows() {
    return List.of(
        new Row("Subtract", Treatment.OUTPUT, ""),
        new Row("Maximum", Treatment.OUTPUT, "inputs requantized to the output (MAXIMUM)"),
        new Row("Minimum", Treatment.OUTPUT, "inputs requantized to the output (MINIMUM)"),
        new Row("Average", Treatment.OUTPUT, "ADD then MUL by 1/n"),
        new Row("LeakyReLU", Treatment.OUTPUT, ""),
        new Row("PReLU", Treatment.SLOPE_AND_OUTPUT, "per-tensor symmetric alpha"),
        new Row("Tanh", Treatment.FIXED_SYMMETRIC_OUTPUT, ""),
        new Row("ELU", Treatment.OUTPUT, ""),
        new Row("SpatialDropout1D", Treatment.PASS_THROUGH, ""),
        new Row(
            "Embedding",
            Treatment.TABLE_LOOKUP,
            "per-tensor symmetric table; output = table params (GATHER); INT32 index input"),
        new Row("LSTM", Treatment.RECURRENT, RECURRENT_NOTE),
        new Row("GRU", Treatment.RECURRENT, RECURRENT_NOTE),
        new Row("Conv2DTranspose", Treatment.WEIGHTS_AND_OUTPUT, "per-tensor kernel (TFMOT)"),
        new Row(
            "UpSampling2D",
            Treatment.PASS_THROUGH,
            "output keeps the input range (convex combinations); TFLite's int8 resizes keep it"),
        new Row("Permute", Treatment.PASS_THROUGH, ""),
        new Row("Cropping2D", Treatment.PASS_THROUGH, ""),
        new Row(
            "Rescaling", Treatment.OUTPUT, "MUL (and ADD) by constants, then the output's range"),
        new Row("Normalization", Treatment.OUTPUT, "MUL and ADD by per-channel constants"),
        new Row("Resizing", Treatment.PASS_THROUGH, "as UpSampling2D"),
        new Row("Gelu", Treatment.OUTPUT, "GELU table (erf or tanh form)"));
  }

  /** The row for {@code type}, or an UNSUPPORTED row for unknown types. */
  public Row row(String type) {
    Row r = rows.get(type);
    return r != null
        ? r
        : new Row(type, Treatment.UNSUPPORTED, "no quantization rule for layer type " + type);
  }

  public Map<String, Row> rows() {
    return java.util.Collections.unmodifiableMap(rows);
  }

  /** A copy with {@code r} added or replacing the row of its type. */
  public QuantizeRegistry with(Row r) {
    QuantizeRegistry q = new QuantizeRegistry(List.copyOf(rows.values()));
    q.rows.put(r.type(), r);
    return q;
  }
}
