package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.tflite.TfliteReader;

/**
 * Fuzzed mutants of qat4j's int8 MobileNetMini that killed the process inside TFLite, rebuilt from
 * a fresh export: seed 61 mutant 31,610 pointed the ADD's second input at a per-axis quantized
 * weight tensor (TFLite allocated and touched 24 GB until the OOM killer ended the JVM); seed 65
 * mutant 13,773 gave the ADD output a 4e-13 scale (TFLite's multiplier CHECK aborted the process).
 */
@Tag("native")
class OwnExportMutantsTest {
  @Test
  void addOutputScaleTooSmallForItsInputsIsRejected() {
    byte[] b = ModelBytes.mobileNetMiniInt8();
    float scale = TfliteReader.read(b).subgraph(0).tensor(22).quantization().scales()[0];
    assertEquals(
        1,
        ModelBytes.patch(b, ModelBytes.float32(scale), 0, ModelBytes.float32(4e-13f)),
        "ADD output scale bytes");
    TfliteException e = assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(b).close());
    assertTrue(e.getMessage().contains("is too small for input scales"), e.getMessage());
  }

  @Test
  void addFedAPerAxisWeightTensorIsRejected() {
    byte[] b = ModelBytes.mobileNetMiniInt8();
    try (TfliteModel ok = TfliteModel.fromBytes(b)) {
      assertTrue(ok.tensorCount() > 23);
    }
    // ADD's inputs vector [12, 21] (down_dw, ir_project) → [12, 23] (mix_a/weights, per-axis)
    assertEquals(
        1,
        ModelBytes.patch(b, ModelBytes.ints(2, 12, 21), 8, ModelBytes.ints(23)),
        "ADD inputs vector");
    TfliteException e = assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(b).close());
    assertEquals("model check", e.step());
    assertTrue(
        e.getMessage().contains("ADD") || e.getMessage().contains("operator 7"), e.getMessage());
    assertTrue(e.getMessage().contains("quantized per axis"), e.getMessage());
  }
}
