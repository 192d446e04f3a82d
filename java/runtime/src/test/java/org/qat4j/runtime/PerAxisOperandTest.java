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
import org.qat4j.tflite.TfliteWriter;

/**
 * MutationFuzz (seed 61, mutant 31,610 of qat4j's int8 MobileNetMini) pointed the ADD's second input at a per-axis
 * quantized weight tensor; TFLite then allocated and touched 24 GB until the OOM killer ended the JVM.
 */
@Tag("native")
class PerAxisOperandTest {
  @Test
  void addFedAPerAxisWeightTensorIsRejected() {
    Model m = MobileNetMini.create(5);
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[8 * 28 * 28];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
    byte[] b = TfliteWriter.write(Int8Lowering.lower(Ptq.quantize(m, List.of(Tensor.of(x, 8, 28, 28, 1))), Int8Lowering.IoType.INT8));
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
