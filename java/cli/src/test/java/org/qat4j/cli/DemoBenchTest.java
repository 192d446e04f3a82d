package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.runtime.Backend;

/**
 * The demo's bench rows come from the runtime's {@code Benchmark}: its raw steady samples and the
 * summary agree.
 */
@Tag("native")
class DemoBenchTest {
  @TempDir Path tmp;

  private final Pipeline p = new Pipeline((task, total, unit) -> new Progress.Silent(), m -> {});

  private Path floatCnn() throws Exception {
    Path model = tmp.resolve("cnn.tflite");
    p.export("zoo:reference-cnn", false, Pipeline.IoType.FLOAT, 1L, model);
    return model;
  }

  @Test
  void benchRowHoldsTheBenchFieldsAndTheSamplesTheStatsCameFrom() throws Exception {
    Path model = floatCnn();
    JsonObject r = new BenchSteps(p).bench(model, Backend.BUILTIN, 1, 20, 3, 0, 10);
    for (String k :
        new String[] {
          "backend",
          "threads",
          "init_ms",
          "first_ms",
          "delegated_ops",
          "cpu_ops",
          "model_ops",
          "coverage",
          "tflite_version",
          "bytes",
          "model",
          "warmup_runs",
          "samples_ms"
        }) {
      assertTrue(r.has(k), k + " in " + r);
    }
    assertEquals(3, r.get("warmup_runs").getAsInt());
    JsonObject s = r.getAsJsonObject("steady");
    double[] samples = Json.GSON.fromJson(r.get("samples_ms"), double[].class);
    assertTrue(samples.length >= 20, r.toString());
    assertEquals(samples.length, s.get("count").getAsInt());
    double[] sorted = samples.clone();
    Arrays.sort(sorted);
    assertEquals(sorted[0], s.get("min_ms").getAsDouble());
    assertEquals(sorted[sorted.length - 1], s.get("max_ms").getAsDouble());
    assertEquals(
        Arrays.stream(samples).average().orElseThrow(), s.get("avg_ms").getAsDouble(), 1e-12);
    assertTrue(
        s.get("p5_ms").getAsDouble() <= s.get("p50_ms").getAsDouble()
            && s.get("p50_ms").getAsDouble() <= s.get("p95_ms").getAsDouble(),
        s.toString());
  }

  @Test
  void aBackendThatCannotStartFailsTheStageWithItsReason() throws Exception {
    assumeFalse(org.qat4j.runtime.edgetpu.EdgeTpu.probe().available(), "an EdgeTPU is attached");
    Path model = floatCnn();
    CliException e =
        assertThrows(
            CliException.class,
            () -> new BenchSteps(p).bench(model, Backend.EDGETPU, 1, 5, 0, 0, 1));
    assertEquals(CliException.FAILED, e.exitCode());
    assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
  }
}
