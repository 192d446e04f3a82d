package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.ir.DType;

/**
 * A raw uint8 image without quantization parameters feeding CAST (the input of Google's pose
 * models, which TFLite 2.20 loads and runs) is accepted and runs; the same tensor feeding an
 * operator that computes with its scale is still refused; and mutants of the CAST model never crash
 * the JVM.
 */
@Tag("native")
class RawUint8InputTest {
  static final int UINT8 = 3;
  static final int CAST = 53;

  /** x: UINT8 [1,2,2,3], no quantization → CAST → y: FLOAT32 [1,2,2,3]. */
  static TinyModels castModel() {
    TinyModels m = new TinyModels();
    m.builtin = CAST;
    int x = m.tensor("image", UINT8, 0, 1, 2, 2, 3);
    int y = m.tensor("image_f32", TinyModels.FLOAT32, 0, 1, 2, 2, 3);
    m.op(new int[] {x}, new int[] {y});
    m.inputs = new int[] {x};
    m.outputs = new int[] {y};
    return m;
  }

  @Test
  void castOfUnquantizedUint8ImageRuns() {
    byte[] pixels = new byte[12];
    float[] want = new float[12];
    for (int i = 0; i < 12; i++) {
      pixels[i] = (byte) (i * 23);
      want[i] = (i * 23) & 0xFF;
    }
    try (TfliteModel m = TfliteModel.fromBytes(castModel().build());
        Interpreter it = Interpreter.create(m, Interpreter.Options.builder().threads(1).build())) {
      assertEquals(DType.UINT8, it.input(0).dataType());
      assertNull(it.input(0).quantization(), it.input(0).toString());
      assertEquals(List.of("CAST"), m.operatorNames());
      it.input(0).write(pixels);
      it.invoke();
      assertArrayEquals(want, it.output(0).readFloats());
    }
  }

  @Test
  void unquantizedUint8IntoArithmeticIsStillRefused() {
    TinyModels m = TinyModels.int8Fc();
    m.tensors.set(0, new TinyModels.T(new int[] {1, 4}, TinyModels.INT8, 0, "x", null, null, 0));
    TfliteException e =
        assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(m.build()).close());
    assertTrue(
        e.getMessage().contains("tensor 0 'x'")
            && e.getMessage().contains("INT8 tensor without quantization")
            && e.getMessage().contains("FULLY_CONNECTED"),
        e.getMessage());
  }

  @Test
  void castModelMutationsNeverCrash() {
    MutationFuzz.Result r = MutationFuzz.run(List.of(castModel().build()), 2000, 53L, false);
    System.out.println("cast-model fuzz: " + r.outcomes());
    assertEquals(List.of(), r.unexpected());
    assertTrue(r.outcomes().getOrDefault("ran", 0L) > 0, r.outcomes().toString());
  }
}
