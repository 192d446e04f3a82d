package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.runtime.TfliteException;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;

/**
 * Conformance of every {@link OpKind}: a single-op int8 graph ({@link OpGraphs}) goes through the
 * writer and back through the reader with the same operators and options, TFLite BUILTIN equals the
 * simulator bit for bit ({@link OpParityTest} runs 50 such graphs per kind on both CPU backends),
 * and the Edge TPU table has a rule for it. Each row states which deploy paths emit the operator,
 * and the layer rows of {@link LayerConformanceTest} must reach exactly those. A kind without a row
 * fails.
 */
@Tag("native")
class OpConformanceTest {
  /**
   * Which paths write the operator: float lowering, int8 lowering, and whether the float import
   * takes it back.
   */
  record Row(boolean floatLowering, boolean int8Lowering, boolean imports) {}

  private static final Map<OpKind, Row> ROWS = new EnumMap<>(OpKind.class);

  static {
    Row all = new Row(true, true, true);
    for (OpKind k :
        new OpKind[] {
          OpKind.CONV_2D,
          OpKind.DEPTHWISE_CONV_2D,
          OpKind.FULLY_CONNECTED,
          OpKind.ADD,
          OpKind.CONCATENATION,
          OpKind.MAX_POOL_2D,
          OpKind.AVERAGE_POOL_2D,
          OpKind.MEAN,
          OpKind.RESHAPE,
          OpKind.PAD,
          OpKind.RELU,
          OpKind.RELU6,
          OpKind.LOGISTIC,
          OpKind.HARD_SWISH,
          OpKind.SOFTMAX
        }) {
      ROWS.put(k, all);
    }
    // Float: a BatchNormalization that cannot fold, and Multiply; int8: Multiply.
    ROWS.put(OpKind.MUL, all);
    ROWS.put(OpKind.QUANTIZE, new Row(false, true, false));
    ROWS.put(OpKind.DEQUANTIZE, new Row(false, true, false));
    // operators of models from other tools: no layer lowers to them and the float import skips them
    Row none = new Row(false, false, false);
    ROWS.put(OpKind.CAST, none);
    ROWS.put(OpKind.ARG_MAX, none);
    ROWS.put(OpKind.ARG_MIN, none);
    ROWS.put(OpKind.RESIZE_BILINEAR, none);
    ROWS.put(OpKind.RESIZE_NEAREST_NEIGHBOR, none);
    for (OpKind k : new OpKind[] {OpKind.PADV2, OpKind.SQUARED_DIFFERENCE}) ROWS.put(k, none);
    // read from other tools' models, simulated and written; no layer lowers to them yet
    for (OpKind k :
        new OpKind[] {
          OpKind.SLICE,
          OpKind.SPLIT,
          OpKind.SPLIT_V,
          OpKind.PACK,
          OpKind.UNPACK,
          OpKind.TILE,
          OpKind.GATHER,
          OpKind.SUM,
          OpKind.REDUCE_MAX,
          OpKind.BATCH_MATMUL
        }) {
      ROWS.put(k, new Row(false, false, false));
    }
    ROWS.put(OpKind.UNIDIRECTIONAL_SEQUENCE_LSTM, none);
    ROWS.put(OpKind.L2_NORMALIZATION, none);
    // the merge and activation layers of issue 14 (Subtract, Maximum, Minimum, LeakyReLU, PReLU,
    // Tanh, ELU); Average lowers to ADD and MUL
    for (OpKind k :
        new OpKind[] {
          OpKind.SUB,
          OpKind.MAXIMUM,
          OpKind.MINIMUM,
          OpKind.TANH,
          OpKind.LEAKY_RELU,
          OpKind.PRELU,
          OpKind.ELU
        }) ROWS.put(k, all);
    ROWS.put(OpKind.TRANSPOSE_CONV, none);
    // the float lowering of Embedding (CAST, GATHER) and of the unrolled LSTM/GRU (the others)
    // writes these; their other paths stay as set above
    for (OpKind k :
        new OpKind[] {
          OpKind.CAST,
          OpKind.GATHER,
          OpKind.SPLIT,
          OpKind.PACK,
          OpKind.UNPACK,
          OpKind.TANH,
          OpKind.MINIMUM,
          OpKind.SUB
        }) ROWS.compute(k, (key, r) -> new Row(true, r.int8Lowering(), r.imports()));
    // the int8 lowering of the unrolled LSTM/GRU writes the same operators as the float one
    for (OpKind k : new OpKind[] {OpKind.SPLIT, OpKind.PACK, OpKind.UNPACK})
      ROWS.compute(k, (key, r) -> new Row(r.floatLowering(), true, r.imports()));
    // Conv2DTranspose; UpSampling2D (nearest, bilinear); Permute
    ROWS.put(OpKind.TRANSPOSE_CONV, all);
    ROWS.put(OpKind.RESIZE_BILINEAR, all);
    ROWS.put(OpKind.RESIZE_NEAREST_NEIGHBOR, all);
    ROWS.put(OpKind.TRANSPOSE, all); // Permute
    ROWS.put(OpKind.STRIDED_SLICE, all); // Cropping2D
    // Embedding's int8 lowering: GATHER of the int8 table at an INT32 index input
    ROWS.compute(OpKind.GATHER, (k, r) -> new Row(r.floatLowering(), true, r.imports()));
    ROWS.put(OpKind.GELU, all); // Gelu
  }

  private static Set<OpKind> floatOps, int8Ops, importedOps;

  /**
   * BUILTIN vs the simulator. TFLite 2.20's XNNPACK delegate claims some TRANSPOSE_CONV graphs and
   * then fails to prepare them (see OpParityTest); those run on BUILTIN alone.
   */
  private static Parity.Stats builtin(OpKind kind, OpGraphs.Case c, SplittableRandom r) {
    try {
      return Parity.compare(c.graph(), 2, r, c.lo(), c.hi())[0];
    } catch (TfliteException e) {
      if (kind != OpKind.TRANSPOSE_CONV
          || !String.valueOf(e.getMessage()).contains("failed to delegate")) throw e;
      return Parity.compareBuiltin(c.graph(), 2, r);
    }
  }

  @BeforeAll
  static void lowerTheLayerRows() {
    floatOps = LayerConformanceTest.floatOps();
    int8Ops = LayerConformanceTest.int8Ops();
    importedOps = LayerConformanceTest.importedOps();
  }

  @ParameterizedTest
  @EnumSource(OpKind.class)
  void everyOperatorHasARowAndPassesEveryPath(OpKind kind) {
    Row row = ROWS.get(kind);
    assertNotNull(row, kind + " has no conformance row: add one, and a generator in OpGraphs");
    SplittableRandom r = new SplittableRandom(77 + kind.ordinal());
    OpGraphs.Case c = OpGraphs.create(kind, r);
    LoweredGraph g = c.graph();
    byte[] bytes = TfliteWriter.write(g);
    TfliteModelInfo info = TfliteReader.read(bytes);
    LoweredGraph back = info.toLoweredGraph();
    assertEquals(g.ops().size(), back.ops().size(), kind + ": op count after write/read");
    for (int i = 0; i < g.ops().size(); i++) {
      assertEquals(g.ops().get(i).kind(), back.ops().get(i).kind(), kind + " op " + i);
      assertEquals(
          g.ops().get(i).options(),
          back.ops().get(i).options(),
          kind + " op " + i + " options after write/read");
    }
    Parity.assertExact(
        builtin(kind, c, r), kind + " " + c.description() + ": TFLite BUILTIN vs simulator");
    for (var o : EdgeTpuPreflight.check(info).operators()) {
      assertFalse(
          o.reason().contains("not in the Edge TPU supported-ops table"),
          kind + ": no Edge TPU rule: " + o);
    }
    assertEquals(
        row.floatLowering(), floatOps.contains(kind), kind + ": float lowering of the layer rows");
    assertEquals(
        row.int8Lowering(), int8Ops.contains(kind), kind + ": int8 lowering of the layer rows");
    assertEquals(
        row.imports(),
        importedOps.contains(kind),
        kind + ": float import round trip of the layer rows");
  }
}
