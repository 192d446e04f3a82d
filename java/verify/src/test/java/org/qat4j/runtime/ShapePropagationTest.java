package org.qat4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MutationFuzz (seed 62, mutant 68,348 of qat4j's float MobileNetMini) set the input batch to
 * 524,289: 1.6 GB of input passes the static size check, but TFLite propagates the batch to 6.6 GB
 * intermediates, reports a successful allocation and crashed in the depthwise kernel (SIGSEGV).
 * Allocated sizes are now checked before any invoke.
 */
@Tag("native")
class ShapePropagationTest {
  private static byte[] withInputBatch(byte[] b, int batch) {
    assertEquals(
        1,
        ModelBytes.patch(b, ModelBytes.ints(4, 1, 28, 28, 1), 4, ModelBytes.ints(batch)),
        "input shape vector");
    return b;
  }

  @Test
  void inflatedIntermediatesAreRejectedAfterAllocation() {
    byte[] bytes = withInputBatch(ModelBytes.mobileNetMiniFloat(3), 524_289);
    try (TfliteModel m = TfliteModel.fromBytes(bytes)) {
      TfliteException e = assertThrows(TfliteException.class, () -> Interpreter.create(m).close());
      assertEquals("TfLiteInterpreterAllocateTensors", e.step());
      assertTrue(e.getMessage().contains("after shape propagation"), e.getMessage());
    }
  }

  @Test
  void ordinaryBatchesStillAllocate() {
    byte[] bytes = withInputBatch(ModelBytes.mobileNetMiniFloat(3), 64);
    try (TfliteModel m = TfliteModel.fromBytes(bytes);
        Interpreter it = Interpreter.create(m)) {
      it.invoke();
      assertEquals(64, it.output(0).shape()[0]);
    }
  }
}
