package org.qat4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data}: the Fashion-MNIST folder, shared by the commands that train on or evaluate with it. */
final class DataOption {
  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder (default: /usr/share/datasets/fashion-mnist).")
  Path data;

  /** The checked folder: {@code --data}, or the default when not given. */
  Path dir() { return Args.dataDir(data, "--data"); }
}
