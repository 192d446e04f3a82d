package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.zoo.MobileNetMini;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.tflite.TfliteWriter;

/**
 * MutationFuzz (seed 62, mutant 68,348 of qat4j's float MobileNetMini) set the input batch to 524,289: 1.6 GB of
 * input passes the static size check, but TFLite propagates the batch to 6.6 GB intermediates, reports a successful
 * allocation and crashed in the depthwise kernel (SIGSEGV). Allocated sizes are now checked before any invoke.
 */
@Tag("native")
class ShapePropagationTest {
  private static byte[] withInputBatch(byte[] b, int batch) {
    byte[] shape = {4, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28, 0, 0, 0, 1, 0, 0, 0};
    int hits = 0;
    for (int i = 0; i + shape.length <= b.length; i++) {
      if (java.util.Arrays.equals(b, i, i + shape.length, shape, 0, shape.length)) {
        java.nio.ByteBuffer.wrap(b, i + 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(batch);
        hits++;
      }
    }
    assertEquals(1, hits, "input shape vector");
    return b;
  }

  @Test
  void inflatedIntermediatesAreRejectedAfterAllocation() {
    byte[] bytes = withInputBatch(TfliteWriter.write(FloatLowering.lower(MobileNetMini.create(3))), 524_289);
    try (TfliteModel m = TfliteModel.fromBytes(bytes)) {
      TfliteException e = assertThrows(TfliteException.class, () -> Interpreter.create(m).close());
      assertEquals("TfLiteInterpreterAllocateTensors", e.step());
      assertTrue(e.getMessage().contains("after shape propagation"), e.getMessage());
    }
  }

  @Test
  void ordinaryBatchesStillAllocate() {
    byte[] bytes = withInputBatch(TfliteWriter.write(FloatLowering.lower(MobileNetMini.create(3))), 64);
    try (TfliteModel m = TfliteModel.fromBytes(bytes); Interpreter it = Interpreter.create(m)) {
      it.invoke();
      assertEquals(64, it.outputInfo(0).shape()[0]);
    }
  }
}
