package org.qat4j.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real models of ../shared/models/real (system property qat4j.sharedModels); tests skip with a
 * message when they are absent.
 */
final class RealModels {
  private RealModels() {}

  static Path dir() {
    return Path.of(System.getProperty("qat4j.sharedModels", "../../../shared/models"))
        .resolve("real");
  }

  /** A file of the real folder, or the test is skipped. */
  static String require(String name) {
    Path p = dir().resolve(name);
    assumeTrue(
        Files.isRegularFile(p),
        p.toAbsolutePath() + " absent: set -Dqat4j.sharedModels=<dir> (skipping)");
    return p.toString();
  }
}
