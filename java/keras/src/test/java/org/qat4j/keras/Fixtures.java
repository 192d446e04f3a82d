package org.qat4j.keras;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates shared/models/keras (system property qat4j.sharedModels) and skips with a message when
 * absent.
 */
final class Fixtures {
  private Fixtures() {}

  static Path dir() {
    return Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"))
        .resolve("keras");
  }

  static Path require(String file) {
    Path p = dir().resolve(file);
    Assumptions.assumeTrue(
        Files.isRegularFile(p),
        "Keras fixture "
            + p.toAbsolutePath()
            + " absent: set -Dqat4j.sharedModels=<dir> (skipping)");
    return p;
  }
}
