package org.qat4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Locates ../shared/models (system property qat4j.sharedModels) and skips with a message when absent. */
final class SharedModels {
  private SharedModels() {
  }

  static Path dir() {
    return Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"));
  }

  static Path require(String file) {
    Path p = dir().resolve(file);
    Assumptions.assumeTrue(Files.isRegularFile(p), "shared model " + p.toAbsolutePath()
        + " absent: set -Dqat4j.sharedModels=<dir> (skipping)");
    return p;
  }
}
