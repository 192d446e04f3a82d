package org.qat4j.tflite.edgetpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;

/**
 * The prediction on the shared uint8 MobileNet against what the real edgetpu_compiler made of it
 * (its compiled twin in ../shared/models); skipped with a message when the models are absent.
 */
class PreflightSharedModelsTest {
  static final String MOBILENET = "mobilenet_v1_0.25_128_quant.tflite";
  static final String MOBILENET_EDGETPU = "mobilenet_v1_0.25_128_quant_edgetpu.tflite";

  static TfliteModelInfo shared(String file) throws IOException {
    Path p =
        Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models")).resolve(file);
    assumeTrue(
        Files.isRegularFile(p),
        "shared model " + p.toAbsolutePath() + " not found (set -Dqat4j.sharedModels); skipping");
    return TfliteReader.read(p);
  }

  @Test
  void uncompiledMobileNetIsPredictedFullyMapped() throws IOException {
    TfliteModelInfo m = shared(MOBILENET);
    PreflightReport r = EdgeTpuPreflight.check(m);
    assertEquals(false, r.compiled());
    assertEquals(m.subgraph(0).operators().size(), r.totalOps());
    assertEquals(r.totalOps(), r.edgetpuOps(), r.text());
    assertEquals(0, r.cpuOps());
    assertEquals(1, r.edgetpuSubgraphs());
    assertTrue(r.warnings().isEmpty(), r.warnings().toString());
    for (var e : m.operatorCounts().entrySet()) {
      assertEquals(
          java.util.Map.of(Status.MAPPED, e.getValue()),
          r.statusCounts().get(e.getKey()),
          e.getKey());
    }
  }

  @Test
  void compiledTwinHoldsOneSegmentAndNoCpuOperators() throws IOException {
    TfliteModelInfo c = shared(MOBILENET_EDGETPU);
    PreflightReport r = EdgeTpuPreflight.check(c);
    assertTrue(r.compiled());
    OperatorInfo op = c.subgraph(0).operators().get(0);
    assertEquals(1, r.segments().size(), r.text());
    assertEquals(op.customOptionsSize(), r.segments().get(0).customOptionsBytes());
    assertTrue(r.segments().get(0).customOptionsBytes() > 0);
    assertEquals(0, r.cpuOps());
    assertEquals(1, r.edgetpuSubgraphs());
    assertTrue(r.text().contains("custom_options " + op.customOptionsSize() + " bytes"), r.text());
    assertTrue(
        r.warnings().stream().anyMatch(w -> w.contains("not recorded")), r.warnings().toString());
  }

  /**
   * The compiler mapped everything (one segment, no CPU ops, same I/O): the prediction must say the
   * same.
   */
  @Test
  void predictionAgreesWithTheRealCompiler() throws IOException {
    TfliteModelInfo original = shared(MOBILENET);
    TfliteModelInfo compiled = shared(MOBILENET_EDGETPU);
    PreflightReport predicted = EdgeTpuPreflight.check(original);
    PreflightReport actual = EdgeTpuPreflight.check(compiled);
    assertEquals(actual.cpuOps(), predicted.cpuOps(), "operators left on the CPU");
    assertEquals(actual.edgetpuSubgraphs(), predicted.edgetpuSubgraphs(), "Edge TPU subgraphs");
    SubgraphInfo a = original.subgraph(0);
    SubgraphInfo b = compiled.subgraph(0);
    assertArrayEquals(a.tensor(a.inputs()[0]).shape(), b.tensor(b.inputs()[0]).shape());
    assertEquals(a.tensor(a.inputs()[0]).quantization(), b.tensor(b.inputs()[0]).quantization());
    assertEquals(a.tensor(a.outputs()[0]).quantization(), b.tensor(b.outputs()[0]).quantization());
    System.out.println(predicted.text());
    System.out.println(actual.text());
  }
}
