package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A CUSTOM op's {@code custom_options} reach the Java op: "QAT4J_SCALE" multiplies by the float32
 * (little-endian) stored in its options, so the same op gives different results per model.
 */
@Tag("native")
class CustomOpOptionsTest {
  private static final String NAME = "QAT4J_SCALE";

  /** x[1,4] float32 → CUSTOM QAT4J_SCALE with {@code options} (null: none) → y[1,4]. */
  static byte[] scaleModel(byte[] options) {
    TinyModels m = new TinyModels();
    int x = m.tensor("x", TinyModels.FLOAT32, 0, 1, 4);
    int y = m.tensor("y", TinyModels.FLOAT32, 0, 1, 4);
    m.op(new int[] {x}, new int[] {y});
    m.inputs = new int[] {x};
    m.outputs = new int[] {y};
    m.builtin = 32;
    m.customCode = NAME;
    m.customOptions = options;
    return m.build();
  }

  static byte[] factor(float f) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f).array();
  }

  /** y = factor · x with factor from the options (1 when there are none); records what it saw. */
  static final class Scale implements CustomOp {
    final List<Integer> seen = new ArrayList<>();
    boolean tryToWrite;

    @Override
    public int[][] prepare(ByteBuffer opts, List<CustomOpTensor> in, List<CustomOpTensor> out) {
      seen.add(opts.remaining());
      return null;
    }

    @Override
    public void invoke(ByteBuffer opts, List<CustomOpTensor> in, List<CustomOpTensor> out) {
      seen.add(opts.remaining());
      if (tryToWrite) opts.put(0, (byte) 1);
      float f = opts.remaining() >= 4 ? opts.getFloat(0) : 1f;
      opts.position(opts.limit()); // moving this view must not affect the next call
      float[] v = in.get(0).readFloats();
      for (int i = 0; i < v.length; i++) v[i] *= f;
      out.get(0).write(v);
    }
  }

  private static float[] run(byte[] model, Scale op) {
    Interpreter.Options o = Interpreter.Options.builder().customOp(NAME, 1, 1, op).build();
    try (TfliteModel m = TfliteModel.fromBytes(model);
        Interpreter it = Interpreter.create(m, o)) {
      it.input(0).write(new float[] {1, -2, 0.5f, 4});
      it.invoke();
      float[] first = it.output(0).readFloats();
      it.invoke();
      assertArrayEquals(first, it.output(0).readFloats(), 0f, "the options are the same again");
      return first;
    }
  }

  @ParameterizedTest
  @ValueSource(floats = {3f, -0.5f})
  void theOptionsOfTheModelDecideTheResult(float f) {
    Scale op = new Scale();
    float[] y = run(scaleModel(factor(f)), op);
    assertArrayEquals(new float[] {f, -2 * f, 0.5f * f, 4 * f}, y, 0f);
    assertEquals(List.of(4, 4, 4), op.seen, "4 option bytes in prepare and in both invokes");
  }

  @Test
  void withoutOptionsTheBufferIsEmpty() {
    Scale op = new Scale();
    assertArrayEquals(new float[] {1, -2, 0.5f, 4}, run(scaleModel(null), op), 0f);
    assertEquals(List.of(0, 0, 0), op.seen);
  }

  @Test
  void theOptionsAreReadOnly() {
    Scale op = new Scale();
    op.tryToWrite = true;
    try (TfliteModel m = TfliteModel.fromBytes(scaleModel(factor(2f)));
        Interpreter it =
            Interpreter.create(m, Interpreter.Options.builder().customOp(NAME, 1, 1, op).build())) {
      TfliteException e = assertThrows(TfliteException.class, it::invoke);
      assertInstanceOf(ReadOnlyBufferException.class, e.getCause());
      assertTrue(e.getMessage().contains("custom op 'QAT4J_SCALE'"), e::getMessage);
    }
  }
}
