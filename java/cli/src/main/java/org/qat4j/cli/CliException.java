package org.qat4j.cli;

/**
 * A failure the CLI reports as one line: {@link #usage} (bad arguments, missing files, wrong model
 * type; exit 2) or {@link #failed} (the work itself failed; exit 1).
 */
final class CliException extends RuntimeException {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private final int exitCode;

  private CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException usage(String message) {
    return new CliException(USAGE, message, null);
  }

  static CliException failed(String message) {
    return new CliException(FAILED, message, null);
  }

  static CliException failed(String message, Throwable cause) {
    return new CliException(FAILED, message, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
