package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.ptq.Ptq;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * Fuzzed mutants of qat4j's int8 MobileNetMini that killed the process inside TFLite, rebuilt from a fresh export:
 * seed 61 mutant 31,610 pointed the ADD's second input at a per-axis quantized weight tensor (TFLite allocated and
 * touched 24 GB until the OOM killer ended the JVM); seed 65 mutant 13,773 gave the ADD output a 4e-13 scale
 * (TFLite's multiplier CHECK aborted the process).
 */
@Tag("native")
class OwnExportMutantsTest {
  private static byte[] export() {
    Model m = MobileNetMini.create(5);
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[8 * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
    return TfliteWriter.write(Int8Lowering.lower(Ptq.quantize(m, List.of(Tensor.of(x, 8, 28, 28, 1))), Int8Lowering.IoType.INT8));
  }

  @Test
  void addOutputScaleTooSmallForItsInputsIsRejected() {
    byte[] b = export();
    float scale = TfliteReader.read(b).subgraph(0).tensor(22).quantization().scales()[0];
    byte[] bits = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(scale).array();
    int hits = 0;
    for (int i = 0; i + 4 <= b.length; i++) {
      if (java.util.Arrays.equals(b, i, i + 4, bits, 0, 4)) {
        java.nio.ByteBuffer.wrap(b, i, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(4e-13f);
        hits++;
      }
    }
    assertEquals(1, hits, "ADD output scale bytes");
    TfliteException e = assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(b).close());
    assertTrue(e.getMessage().contains("is too small for input scales"), e.getMessage());
  }

  @Test
  void addFedAPerAxisWeightTensorIsRejected() {
    byte[] b = export();
    try (TfliteModel ok = TfliteModel.fromBytes(b)) {
      assertTrue(ok.tensorCount() > 23);
    }
    // ADD's inputs vector [12, 21] (down_dw, ir_project) → [12, 23] (mix_a/weights, per-axis)
    byte[] inputs = {2, 0, 0, 0, 12, 0, 0, 0, 21, 0, 0, 0};
    int hits = 0;
    for (int i = 0; i + inputs.length <= b.length; i++) {
      if (java.util.Arrays.equals(b, i, i + inputs.length, inputs, 0, inputs.length)) {
        b[i + 8] = 23;
        hits++;
      }
    }
    assertEquals(1, hits, "ADD inputs vector");
    TfliteException e = assertThrows(TfliteException.class, () -> TfliteModel.fromBytes(b).close());
    assertEquals("model check", e.step());
    assertTrue(e.getMessage().contains("ADD") || e.getMessage().contains("operator 7"), e.getMessage());
    assertTrue(e.getMessage().contains("quantized per axis"), e.getMessage());
  }
}
