package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.quant.raise.PhotoCrops;

/**
 * {@code quantize --new-head}: the Coral MobileNet V1 0.25 (uint8) gets a new 3-class head trained
 * on crops of the real photos in shared/models, then export int8 and the EdgeTPU pre-flight.
 */
class CliNewHeadTest {
  private static JsonObject ok(String... args) {
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r.toString());
    return r.json();
  }

  @Test
  void retrainCoralMobileNetHeadExportInt8AndEveryOperatorMaps(@TempDir Path dir)
      throws IOException {
    Path mn = PhotoCrops.shared().resolve("mobilenet_v1_0.25_128_quant.tflite");
    assumeTrue(Files.isRegularFile(mn), mn + " absent: set -Dqat4j.sharedModels (skipping)");
    PhotoCrops.write(dir.resolve("train"), 8, 0);
    PhotoCrops.write(dir.resolve("test"), 4, 100);
    Path qat = dir.resolve("retrained.q4j"), tfl = dir.resolve("retrained.tflite");
    JsonObject q =
        ok(
            "quantize",
            "--in",
            mn.toString(),
            "--new-head",
            "MobilenetV1/Logits/AvgPool_1a/AvgPool",
            "--data",
            dir.resolve("train").toString(),
            "--test-data",
            dir.resolve("test").toString(),
            "--mean",
            "0.5",
            "--std",
            "0.5",
            "--epochs",
            "1",
            "--batch-size",
            "8",
            "--lr",
            "0.001",
            "--out",
            qat.toString(),
            "--json");
    assertEquals(3, q.get("head_classes").getAsInt(), q.toString());
    assertEquals(256 * 3 + 3, q.get("trainable_parameters").getAsLong(), q.toString());
    assertTrue(q.get("test_accuracy_fake_quant").getAsDouble() >= 0.9, q.toString());
    ok("export", "--in", qat.toString(), "--format", "int8", "--out", tfl.toString(), "--json");
    JsonObject e = ok("edgetpu", "check", tfl.toString(), "--json");
    assertEquals(0, e.get("cpu_ops").getAsInt(), e.toString());
    assertEquals(e.get("total_ops").getAsInt(), e.get("edgetpu_ops").getAsInt(), e.toString());
  }

  @Test
  void unknownLayerAndMissingDataAreUsageErrors(@TempDir Path dir) throws IOException {
    Path mn = PhotoCrops.shared().resolve("mobilenet_v1_0.25_128_quant.tflite");
    assumeTrue(Files.isRegularFile(mn), mn + " absent: set -Dqat4j.sharedModels (skipping)");
    PhotoCrops.write(dir.resolve("train"), 2, 0);
    String out = dir.resolve("x.q4j").toString();
    CliRun r =
        CliRun.of(
            "quantize",
            "--in",
            mn.toString(),
            "--new-head",
            "no_such_layer",
            "--data",
            dir.resolve("train").toString(),
            "--test-data",
            dir.resolve("train").toString(),
            "--mean",
            "0.5",
            "--std",
            "0.5",
            "--out",
            out);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("no layer 'no_such_layer'"), r.err());
    r = CliRun.of("quantize", "--in", mn.toString(), "--new-head", "x", "--out", out);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--new-head needs --data"), r.err());
    assertTrue(!Files.exists(dir.resolve("x.q4j")));
  }
}
