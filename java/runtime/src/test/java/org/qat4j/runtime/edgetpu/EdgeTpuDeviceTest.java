package org.qat4j.runtime.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Real hardware (excluded by default; {@code mvn test -Dtest.excludedGroups=slow}): the compiled
 * MobileNet on the EdgeTPU agrees with the uncompiled one on the CPU.
 */
@Tag("native")
@Tag("device")
class EdgeTpuDeviceTest {

  @Test
  void compiledModelOnTheTpuMatchesTheCpu() throws IOException {
    EdgeTpuAvailability a = EdgeTpu.probe();
    assumeTrue(a.available(), a.toString());
    byte[] cpu =
        TfliteRuns.run(
            Files.readAllBytes(TfliteRuns.sharedModel("mobilenet_v1_0.25_128_quant.tflite")), null);
    byte[] compiled =
        Files.readAllBytes(TfliteRuns.sharedModel("mobilenet_v1_0.25_128_quant_edgetpu.tflite"));
    try (EdgeTpuDelegate tpu = EdgeTpu.openDelegate("", EdgeTpuOptions.defaults())) {
      byte[] out = TfliteRuns.run(compiled, tpu);
      assertEquals(TfliteRuns.argmax(cpu), TfliteRuns.argmax(out));
      int maxDiff = 0;
      for (int i = 0; i < cpu.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs((cpu[i] & 0xff) - (out[i] & 0xff)));
      }
      assertTrue(
          maxDiff <= 16,
          "TPU vs CPU max difference " + maxDiff + "/255 (version coupling? see docs/EDGETPU.md)");
    }
  }
}
