package org.qat4j.tflite;

import static org.qat4j.tflite.FlatbufferVerifier.Kind.S1;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.S4;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.S8;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.STRING;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.UNION_TYPE;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.VEC1;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.VEC4;
import static org.qat4j.tflite.FlatbufferVerifier.Kind.VEC8;

import java.util.HashMap;
import java.util.Map;
import org.qat4j.tflite.FlatbufferVerifier.Field;
import org.qat4j.tflite.FlatbufferVerifier.TableDef;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.QuantizationDetails;

/** The verifier's view of schema/qat4j_tflite.fbs: same tables, same field ids. */
final class TfliteSchema {
  private TfliteSchema() {}

  private static TableDef scalars(String name, int count) {
    Field[] f = new Field[count];
    for (int i = 0; i < count; i++)
      f[i] = Field.of(i, S4); // widest option scalar; 1-byte fields also fit
    return new TableDef(name, f);
  }

  private static TableDef bytesOnly(String name, int... ids) {
    Field[] f = new Field[ids.length];
    for (int i = 0; i < ids.length; i++) f[i] = Field.of(ids[i], S1);
    return new TableDef(name, f);
  }

  static final TableDef QUANTIZATION =
      new TableDef(
          "QuantizationParameters",
          Field.of(0, VEC4),
          Field.of(1, VEC4),
          Field.of(2, VEC4),
          Field.of(3, VEC8),
          Field.of(4, UNION_TYPE),
          Field.union(
              5,
              Map.of(
                  (int) QuantizationDetails.CustomQuantization,
                  new TableDef("CustomQuantization", Field.of(0, VEC1)))),
          Field.of(6, S4));

  static final TableDef TENSOR =
      new TableDef(
          "Tensor",
          Field.of(0, VEC4),
          Field.of(1, S1),
          Field.of(2, S4),
          Field.of(3, STRING),
          Field.table(4, QUANTIZATION),
          Field.of(5, S1),
          Field.table(6, new TableDef("SparsityParameters")),
          Field.of(7, VEC4),
          Field.of(8, S1));

  private static Map<Integer, TableDef> options() {
    Map<Integer, TableDef> m = new HashMap<>(ownOptions());
    m.putAll(foreignOptions());
    m.putAll(shapeOptions());
    return Map.copyOf(m);
  }

  /** Options tables of the operators qat4j's lowering writes. */
  private static Map<Integer, TableDef> ownOptions() {
    return Map.ofEntries(
        Map.entry(
            (int) BuiltinOptions.Conv2DOptions,
            mixed("Conv2DOptions", new int[] {0, 3}, 1, 2, 4, 5)),
        Map.entry(
            (int) BuiltinOptions.DepthwiseConv2DOptions,
            mixed("DepthwiseConv2DOptions", new int[] {0, 4}, 1, 2, 3, 5, 6)),
        Map.entry(
            (int) BuiltinOptions.Pool2DOptions,
            mixed("Pool2DOptions", new int[] {0, 5}, 1, 2, 3, 4)),
        Map.entry(
            (int) BuiltinOptions.FullyConnectedOptions,
            bytesOnly("FullyConnectedOptions", 0, 1, 2, 3)),
        Map.entry((int) BuiltinOptions.SoftmaxOptions, scalars("SoftmaxOptions", 1)),
        Map.entry(
            (int) BuiltinOptions.ConcatenationOptions,
            mixed("ConcatenationOptions", new int[] {1}, 0)),
        Map.entry((int) BuiltinOptions.AddOptions, bytesOnly("AddOptions", 0, 1)),
        Map.entry(
            (int) BuiltinOptions.ReshapeOptions, new TableDef("ReshapeOptions", Field.of(0, VEC4))),
        Map.entry((int) BuiltinOptions.MulOptions, bytesOnly("MulOptions", 0)),
        Map.entry((int) BuiltinOptions.PadOptions, new TableDef("PadOptions")),
        Map.entry((int) BuiltinOptions.ReducerOptions, bytesOnly("ReducerOptions", 0)),
        Map.entry((int) BuiltinOptions.SubOptions, bytesOnly("SubOptions", 0, 1)),
        Map.entry(
            (int) BuiltinOptions.SqueezeOptions, new TableDef("SqueezeOptions", Field.of(0, VEC4))),
        Map.entry((int) BuiltinOptions.DequantizeOptions, new TableDef("DequantizeOptions")),
        Map.entry((int) BuiltinOptions.QuantizeOptions, new TableDef("QuantizeOptions")),
        Map.entry((int) BuiltinOptions.HardSwishOptions, new TableDef("HardSwishOptions")));
  }

  /** Options tables of the operators read from other tools' models (issue 13). */
  private static Map<Integer, TableDef> foreignOptions() {
    return Map.ofEntries(
        Map.entry(
            (int) BuiltinOptions.ResizeBilinearOptions,
            mixed("ResizeBilinearOptions", new int[] {2, 3}, 0, 1)),
        Map.entry((int) BuiltinOptions.ArgMaxOptions, bytesOnly("ArgMaxOptions", 0)),
        Map.entry((int) BuiltinOptions.ArgMinOptions, bytesOnly("ArgMinOptions", 0)),
        Map.entry(
            (int) BuiltinOptions.ResizeNearestNeighborOptions,
            bytesOnly("ResizeNearestNeighborOptions", 0, 1)),
        Map.entry((int) BuiltinOptions.L2NormOptions, bytesOnly("L2NormOptions", 0)),
        Map.entry(
            (int) BuiltinOptions.MaximumMinimumOptions, new TableDef("MaximumMinimumOptions")),
        Map.entry((int) BuiltinOptions.PadV2Options, new TableDef("PadV2Options")),
        Map.entry((int) BuiltinOptions.LeakyReluOptions, scalars("LeakyReluOptions", 1)),
        Map.entry(
            (int) BuiltinOptions.SquaredDifferenceOptions,
            new TableDef("SquaredDifferenceOptions")),
        Map.entry(
            (int) BuiltinOptions.TransposeConvOptions,
            mixed("TransposeConvOptions", new int[] {0, 3}, 1, 2)),
        Map.entry((int) BuiltinOptions.GeluOptions, bytesOnly("GeluOptions", 0)));
  }

  /** Options tables of the data-movement operators. */
  private static Map<Integer, TableDef> shapeOptions() {
    return Map.ofEntries(
        Map.entry((int) BuiltinOptions.GatherOptions, scalars("GatherOptions", 2)),
        Map.entry((int) BuiltinOptions.TransposeOptions, new TableDef("TransposeOptions")),
        Map.entry(
            (int) BuiltinOptions.StridedSliceOptions,
            mixed("StridedSliceOptions", new int[] {5}, 0, 1, 2, 3, 4)),
        Map.entry((int) BuiltinOptions.SplitOptions, scalars("SplitOptions", 1)),
        Map.entry((int) BuiltinOptions.SliceOptions, new TableDef("SliceOptions")),
        Map.entry((int) BuiltinOptions.TileOptions, new TableDef("TileOptions")),
        Map.entry((int) BuiltinOptions.PackOptions, scalars("PackOptions", 2)),
        Map.entry((int) BuiltinOptions.UnpackOptions, scalars("UnpackOptions", 2)),
        Map.entry((int) BuiltinOptions.SplitVOptions, scalars("SplitVOptions", 1)),
        Map.entry(
            (int) BuiltinOptions.BatchMatMulOptions, bytesOnly("BatchMatMulOptions", 0, 1, 2)),
        Map.entry(
            (int) BuiltinOptions.UnidirectionalSequenceLSTMOptions,
            mixed("UnidirectionalSequenceLSTMOptions", new int[] {0, 3, 4, 5}, 1, 2)));
  }

  private static TableDef mixed(String name, int[] byteIds, int... intIds) {
    Field[] f = new Field[byteIds.length + intIds.length];
    int k = 0;
    for (int id : byteIds) f[k++] = Field.of(id, S1);
    for (int id : intIds) f[k++] = Field.of(id, S4);
    return new TableDef(name, f);
  }

  static final TableDef OPERATOR =
      new TableDef(
          "Operator",
          Field.of(0, S4),
          Field.of(1, VEC4),
          Field.of(2, VEC4),
          Field.of(3, UNION_TYPE),
          Field.union(4, options()),
          Field.of(5, VEC1),
          Field.of(6, S1),
          Field.of(7, VEC1),
          Field.of(8, VEC4));

  static final TableDef SUBGRAPH =
      new TableDef(
          "SubGraph",
          Field.tables(0, TENSOR),
          Field.of(1, VEC4),
          Field.of(2, VEC4),
          Field.tables(3, OPERATOR),
          Field.of(4, STRING));

  static final TableDef OPERATOR_CODE =
      new TableDef(
          "OperatorCode", Field.of(0, S1), Field.of(1, STRING), Field.of(2, S4), Field.of(3, S4));

  static final TableDef BUFFER =
      new TableDef("Buffer", Field.of(0, VEC1), Field.of(1, S8), Field.of(2, S8));

  static final TableDef METADATA = new TableDef("Metadata", Field.of(0, STRING), Field.of(1, S4));

  static final TableDef MODEL =
      new TableDef(
          "Model",
          Field.of(0, S4),
          Field.tables(1, OPERATOR_CODE),
          Field.tables(2, SUBGRAPH),
          Field.of(3, STRING),
          Field.tables(4, BUFFER),
          Field.of(5, VEC4),
          Field.tables(6, METADATA));
}
