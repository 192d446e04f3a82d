package org.qat4j.cli;

import picocli.CommandLine.Option;

/** {@code --threads} / {@code --gemm-threads}, shared by the commands that train. */
final class ThreadOptions {
  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "qat4j layer threads (default: all CPUs).")
  Integer threads;

  @Option(
      names = "--gemm-threads",
      defaultValue = "1",
      paramLabel = "N",
      description =
          "OpenBLAS threads (default: ${DEFAULT-VALUE}; its spinning workers compete with the layer threads).")
  int gemmThreads;

  void apply() {
    Pipeline.threads(threads, gemmThreads);
  }
}
