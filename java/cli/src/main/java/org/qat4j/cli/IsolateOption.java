package org.qat4j.cli;

import picocli.CommandLine.Option;

/** {@code --isolate}: TFLite in a child JVM, for {@code eval}, {@code verify} and {@code bench}. */
final class IsolateOption {
  @Option(
      names = "--isolate",
      description =
          "Run TFLite in a child JVM: a native crash in an untrusted model becomes an error naming"
              + " the signal instead of ending qat4j (costs a JVM start, ~1-2 s, and a pipe round"
              + " trip per invoke).")
  boolean isolate;
}
