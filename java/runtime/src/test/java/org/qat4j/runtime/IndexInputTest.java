package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.tflite.IndexInputs;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * INT32 index inputs (an int8 Embedding's token ids, read as GATHER positions): TFLite returns the
 * table rows, and indices outside the table or non-whole reals are refused in Java, naming the
 * input and the element, before TFLite sees them.
 */
@Tag("native")
class IndexInputTest {
  static final int ROWS = 7, WIDTH = 3, STEPS = 4;

  /** ids INT32 [1, 4] → GATHER of an int8 table [7, 3] → int8 [1, 4, 3]. */
  static LoweredGraph lookup() {
    LoweredGraphBuilder b = new LoweredGraphBuilder("lookup");
    QuantParams q = QuantParams.perTensor(0.25f, 0);
    byte[] table = new byte[ROWS * WIDTH];
    for (int i = 0; i < table.length; i++) table[i] = (byte) (i * 11 - 100);
    int t = b.addTensor(new TensorSpec("table", new int[] {ROWS, WIDTH}, DType.INT8, q, table));
    int x = b.addTensor(TensorSpec.activation("ids", new int[] {1, STEPS}, DType.INT32, null));
    int y = b.addTensor(TensorSpec.activation("rows", new int[] {1, STEPS, WIDTH}, DType.INT8, q));
    b.addOp(OpKind.GATHER, new int[] {t, x}, new int[] {y}, new OpOptions.Gather(0, 0));
    return b.setInputs(x).setOutputs(y).build();
  }

  private static byte[] rows(int... ids) {
    byte[] r = new byte[ids.length * WIDTH];
    for (int i = 0; i < ids.length; i++)
      for (int j = 0; j < WIDTH; j++) r[i * WIDTH + j] = (byte) ((ids[i] * WIDTH + j) * 11 - 100);
    return r;
  }

  @Test
  void theLimitIsTheTableRows() {
    byte[] bytes = TfliteWriter.write(lookup());
    assertArrayEquals(new int[] {ROWS}, IndexInputs.limits(TfliteReader.read(bytes).subgraph(0)));
  }

  @Test
  void tfliteGathersTheRowsOfInRangeIds() {
    try (TfliteModel m = TfliteModel.fromBytes(TfliteWriter.write(lookup()));
        Interpreter it = Interpreter.create(m)) {
      it.input(0).write(new int[] {0, 6, 3, 1});
      it.invoke();
      assertArrayEquals(rows(0, 6, 3, 1), it.output(0).readBytes());
      it.input(0).writeReal(new float[] {5, 5, 2, 0});
      it.invoke();
      assertArrayEquals(rows(5, 5, 2, 0), it.output(0).readBytes());
    }
  }

  @Test
  void idsOutsideTheTableAreRefusedBeforeTflite() {
    try (TfliteModel m = TfliteModel.fromBytes(TfliteWriter.write(lookup()));
        Interpreter it = Interpreter.create(m)) {
      for (int bad : new int[] {ROWS, -1, Integer.MAX_VALUE}) {
        var e =
            assertThrows(
                IllegalArgumentException.class, () -> it.input(0).write(new int[] {0, 1, bad, 2}));
        assertTrue(
            e.getMessage().contains("input 0 'ids'")
                && e.getMessage().contains("index " + bad + " at element 2")
                && e.getMessage().contains("outside [0, " + ROWS + ")"),
            e.getMessage());
      }
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> it.input(0).writeReal(new float[] {0, 1.5f, 2, 3}));
      assertTrue(e.getMessage().contains("element 1 is 1.5, not a whole number"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () -> it.input(0).writeReal(new float[] {0, 1, 2, 7}));
      assertTrue(e.getMessage().contains("index 7 at element 3"), e.getMessage());
      it.input(0).write(new int[] {1, 2, 3, 4});
      it.invoke();
      assertArrayEquals(rows(1, 2, 3, 4), it.output(0).readBytes(), "still usable after refusals");
    }
  }
}
