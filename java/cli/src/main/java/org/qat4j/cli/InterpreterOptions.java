package org.qat4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.qat4j.runtime.Backend;
import picocli.CommandLine.Option;

/**
 * {@code --model FILE.tflite}, {@code --backend} and {@code --threads}: how {@code eval} and {@code
 * bench} run a .tflite.
 */
final class InterpreterOptions {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "FILE.tflite",
      description = ".tflite model.")
  Path model;

  @Option(
      names = "--backend",
      defaultValue = "builtin",
      paramLabel = "B",
      description = "builtin, xnnpack, nnapi or edgetpu (default: ${DEFAULT-VALUE}).")
  Backend backend;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description = "Interpreter threads (default: ${DEFAULT-VALUE}).")
  int threads;

  /**
   * Checks the options and resolves {@code --model} (a zoo:NAME is exported to a temporary
   * .tflite).
   */
  void check(Pipeline p) throws IOException {
    Args.threads(threads, "--threads");
    model = p.tfliteArg(model, "--model");
  }
}
