package org.qat4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The positional FILE.tflite of {@code inspect} and {@code edgetpu check}. */
final class TfliteFileParameter {
  @Parameters(index = "0", paramLabel = "FILE.tflite", description = ".tflite model.")
  Path file;

  /** Checks and resolves the file (a zoo:NAME is exported to a temporary .tflite). */
  Path check(Pipeline p) throws IOException {
    file = p.tfliteArg(file, "FILE.tflite");
    return file;
  }
}
