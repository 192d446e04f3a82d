package org.qat4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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

  @Option(
      names = "--custom-op",
      paramLabel = "NAME=CLASS[:MIN[-MAX]]",
      description =
          "Run the model's CUSTOM operator NAME (versions MIN..MAX, default 1) with a Java class implementing "
              + "org.qat4j.runtime.CustomOp (public, no-argument constructor) from the class path "
              + "(QAT4J_CLASSPATH); repeatable.")
  List<String> customOp;

  /** The loaded {@code --custom-op} classes, set by {@link #check}. */
  CustomOpSpecs customOps = CustomOpSpecs.NONE;

  /**
   * Checks the options and resolves {@code --model} (a zoo:NAME is exported to a temporary
   * .tflite).
   */
  void check(Pipeline p) throws IOException {
    check(p, false);
  }

  /** {@link #check(Pipeline)} for a command where {@code isolated} runs TFLite in a child JVM. */
  void check(Pipeline p, boolean isolated) throws IOException {
    Args.threads(threads, "--threads");
    customOps = CustomOpSpecs.parse(customOp, isolated);
    model = p.tfliteArg(model, "--model");
  }
}
