package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.*;

import java.util.function.Consumer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The inputs of tflite-format.md §4 that crash or silently corrupt a naive caller must give
 * exceptions here.
 */
@Tag("native")
class CrashListTest {
  static TfliteException rejected(Consumer<TinyModels> mutate) {
    TinyModels m = TinyModels.floatFc();
    mutate.accept(m);
    byte[] bytes = m.build();
    return assertThrows(
        TfliteException.class,
        () -> {
          try (TfliteModel model = TfliteModel.fromBytes(bytes);
              Interpreter it = Interpreter.create(model)) {
            it.invoke();
          }
        });
  }

  @Test
  void modelWithoutSubgraphs() {
    assertTrue(rejected(m -> m.noSubgraphs = true).getMessage().contains("subgraph"));
  }

  @Test
  void modelWithoutBuffers() {
    assertNotNull(rejected(m -> m.noBuffers = true));
  }

  @Test
  void outputProducedByNoOperator() {
    TfliteException e =
        rejected(
            m -> {
              int z = m.tensor("orphan", TinyModels.FLOAT32, 0, 1, 3);
              m.outputs = new int[] {3, z};
            });
    assertTrue(
        e.getMessage().toLowerCase().contains("produced by no operator")
            || e.getMessage().toLowerCase().contains("never written")
            || e.getMessage().contains("orphan"),
        e.getMessage());
  }

  @Test
  void outputOnConstantBuffer() {
    assertNotNull(rejected(m -> m.outputs = new int[] {1}));
  }

  @Test
  void tensorIndexOutOfRange() {
    assertNotNull(rejected(m -> m.ops.set(0, new int[] {0, 1, 2, -99, 99})));
    assertNotNull(rejected(m -> m.inputs = new int[] {-5}));
  }

  @Test
  void int8WithoutQuantizationAndZeroScale() {
    assertNotNull(
        rejected(
            m ->
                m.tensors.set(
                    1,
                    new TinyModels.T(new int[] {3, 4}, TinyModels.INT8, 1, "w", null, null, 0))));
    TinyModels q = TinyModels.int8Fc();
    q.tensors.set(
        0,
        new TinyModels.T(
            new int[] {1, 4}, TinyModels.INT8, 0, "x", new float[] {0f}, new long[] {0}, 0));
    assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(q.build()).close());
  }

  @Test
  void perAxisScaleCountAndDimensionMismatch() {
    TinyModels q = TinyModels.int8Fc();
    q.tensors.set(
        1,
        new TinyModels.T(
            new int[] {3, 4}, TinyModels.INT8, 1, "w", new float[] {1, 1}, new long[] {0, 0}, 0));
    assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(q.build()).close());
    TinyModels r = TinyModels.int8Fc();
    r.tensors.set(
        1,
        new TinyModels.T(
            new int[] {3, 4},
            TinyModels.INT8,
            1,
            "w",
            new float[] {1, 1, 1},
            new long[] {0, 0, 0},
            5));
    assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(r.build()).close());
  }

  @Test
  void hugeAndNegativeShapes() {
    assertNotNull(
        rejected(
            m ->
                m.tensors.set(
                    0,
                    new TinyModels.T(
                        new int[] {1 << 30, 4}, TinyModels.FLOAT32, 0, "x", null, null, 0))));
    assertNotNull(
        rejected(
            m ->
                m.tensors.set(
                    3,
                    new TinyModels.T(
                        new int[] {1, -3}, TinyModels.FLOAT32, 0, "y", null, null, 0))));
  }

  @Test
  void unknownBuiltinAndVersion() {
    TfliteException e = rejected(m -> m.builtin = 9999);
    assertTrue(
        e.step().equals("TfLiteInterpreterCreate") || e.step().equals("model check"),
        e.getMessage());
    assertNotNull(rejected(m -> m.opVersion = 99));
  }

  @Test
  void garbageBytes() {
    for (byte[] b :
        new byte[][] {{}, {1, 2, 3}, "0000TFL3garbage-garbage-garbage".getBytes(), new byte[64]}) {
      TfliteException e = assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(b));
      assertEquals("model check", e.step());
    }
    assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(null));
  }
}
