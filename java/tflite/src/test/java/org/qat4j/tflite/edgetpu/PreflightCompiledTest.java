package org.qat4j.tflite.edgetpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.edgetpu.PreflightReport.OperatorResult;

/**
 * Compiled models are described (segments, CPU operators around them, payload sizes), not
 * predicted.
 */
class PreflightCompiledTest {
  @Test
  void segmentsAndCpuOperatorsAreListedInOrder() {
    PreflightReport r = EdgeTpuPreflight.check(TfliteReader.read(CompiledModelBytes.build(12, 20)));
    assertTrue(r.compiled());
    assertEquals(
        List.of(new PreflightReport.Segment(1, 12), new PreflightReport.Segment(2, 20)),
        r.segments());
    assertEquals(4, r.totalOps());
    assertEquals(2, r.edgetpuOps());
    assertEquals(2, r.cpuOps());
    assertEquals(2, r.edgetpuSubgraphs());
    assertEquals(
        List.of(
            Status.COMPILED_CPU,
            Status.COMPILED_SEGMENT,
            Status.COMPILED_SEGMENT,
            Status.COMPILED_CPU),
        r.operators().stream().map(OperatorResult::status).toList());
    assertEquals(
        List.of("QUANTIZE", EdgeTpuPreflight.CUSTOM_OP, EdgeTpuPreflight.CUSTOM_OP, "DEQUANTIZE"),
        r.operators().stream().map(OperatorResult::op).toList());
    assertTrue(r.text().contains("Edge TPU segment: op 2, custom_options 20 bytes"), r.text());
    assertEquals(
        2,
        r.warnings().stream().filter(w -> w.startsWith("Model not quantized")).count(),
        r.warnings().toString());
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.contains("on-chip/off-chip")),
        r.warnings().toString());
    assertEquals(true, r.toMap().get("compiled"));
  }
}
