package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --in model.keras|model.h5}: Keras files are imported where the CLI takes a model; refusals
 * are usage errors.
 */
@Tag("native")
class KerasInputTest {
  @TempDir Path tmp;

  private static Path keras(String file) {
    Path p =
        Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"))
            .resolve("keras")
            .resolve(file);
    assumeTrue(
        Files.isRegularFile(p),
        "Keras fixture "
            + p.toAbsolutePath()
            + " absent: set -Dqat4j.sharedModels=<dir> (skipping)");
    return p;
  }

  @Test
  void exportsAKerasFileAsFloatTflite() {
    Path out = tmp.resolve("k.tflite");
    CliRun r =
        CliRun.of(
            "export",
            "--in",
            keras("01_fashion_cnn_k341.keras").toString(),
            "--format",
            "float",
            "--io",
            "float",
            "--out",
            out.toString(),
            "--json");
    assertEquals(0, r.code(), r.toString());
    assertEquals(Files.exists(out) ? out.toFile().length() : -1, r.json().get("bytes").getAsLong());
    assertTrue(Args.isTflite(out));
  }

  @Test
  void refusedKerasLayerIsAUsageError() {
    CliRun r =
        CliRun.of(
            "export",
            "--in",
            keras("13_mnist_densenet_lambda_k224.h5").toString(),
            "--format",
            "float",
            "--out",
            tmp.resolve("x.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(
        r.err().contains("cannot be imported from Keras")
            && r.err().contains("'lambda_1' (Lambda)"),
        r.toString());
  }
}
