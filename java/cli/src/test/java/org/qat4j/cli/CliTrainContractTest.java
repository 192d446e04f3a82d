package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.cli.CliRun.ok;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.zoo.Zoo;

/**
 * {@code train} on its own: the defaults it reports (the recipe) without {@code --out}, and a short
 * run whose model works at inference (BatchNorm statistics re-estimated).
 */
@Tag("native")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTrainContractTest {

  @BeforeAll
  void needsData() {
    CliRun.needsFashionMnist();
  }

  @Test
  void trainDefaultsAreTheRecipeAndOutIsOptional() {
    JsonObject j =
        ok(
            "train",
            "--model",
            "reference-cnn",
            "--epochs",
            "1",
            "--limit",
            "128",
            "--test-limit",
            "100",
            "--json",
            "--quiet");
    assertEquals("cosine", j.get("schedule").getAsString());
    assertEquals(0.04, j.get("conv_init_scale").getAsDouble(), 1e-12);
    assertEquals(0.0015f, j.get("lr").getAsFloat());
    assertTrue(!j.has("path") && !j.has("bytes"), "no --out, no file: " + j);
    assertEquals(
        2, CliRun.of("train", "--model", "reference-cnn", "--conv-init-scale", "0").code());
  }

  /** MobileNetMini's default rate is its own recipe's; --lr still overrides it. */
  @Test
  void mobileNetMiniHasItsOwnDefaultRate() {
    String[] run = {"train", "--model", "mobilenet-mini", "--epochs", "1", "--limit", "64"};
    String[] tail = {"--test-limit", "64", "--json", "--quiet"};
    JsonObject j = ok(concat(run, tail));
    assertEquals((float) Zoo.recipe("mobilenet-mini").peakLr(), j.get("lr").getAsFloat());
    JsonObject k = ok(concat(run, new String[] {"--lr", "0.001"}, tail));
    assertEquals(0.001f, k.get("lr").getAsFloat());
    assertEquals(2, CliRun.of("train", "--model", "mobilenet-mini", "--lr", "-1").code());
  }

  private static String[] concat(String[]... parts) {
    return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
  }

  /**
   * Issue 15: 3 000 images × 3 epochs trained to 0.87 but tested at 0.113 before BatchNorm
   * statistics were re-estimated.
   */
  @Test
  void shortTrainingGivesAWorkingInferenceModel(@TempDir Path dir) {
    JsonObject j =
        ok(
            "train",
            "--model",
            "reference-cnn",
            "--epochs",
            "3",
            "--limit",
            "3000",
            "--test-limit",
            "1000",
            "--out",
            dir.resolve("short.q4j").toString(),
            "--json",
            "--quiet");
    assertEquals(3000, j.get("bn_reestimated_images").getAsInt(), j.toString());
    assertTrue(j.get("test_accuracy").getAsDouble() > 0.7, j.toString());
  }
}
