package org.qat4j.tflite;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates ../shared/models (system property qat4j.sharedModels); tests skip with a message when
 * absent.
 */
public final class SharedModels {
  public static final String MOBILENET = "mobilenet_v1_0.25_128_quant.tflite";
  public static final String MOBILENET_EDGETPU = "mobilenet_v1_0.25_128_quant_edgetpu.tflite";

  private SharedModels() {}

  public static Path path(String file) {
    Path dir = Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"));
    Path p = dir.resolve(file);
    assumeTrue(
        Files.isRegularFile(p),
        "shared model " + p.toAbsolutePath() + " not found (set -Dqat4j.sharedModels); skipping");
    return p;
  }

  public static byte[] bytes(String file) {
    try {
      return Files.readAllBytes(path(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
