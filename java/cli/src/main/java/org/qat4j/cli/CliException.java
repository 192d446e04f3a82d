package org.qat4j.cli;

/**
 * A failure the CLI reports as one line: {@link #usage} (bad arguments, missing files, wrong model
 * type; exit 2), {@link #failed} (the work itself failed; exit 1) or {@link #interrupted} (a
 * signal; 130/143).
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

  /** Stopped by a signal: exit 128 + its number (130 for SIGINT, 143 for SIGTERM). */
  static CliException interrupted(String signal, String message) {
    return new CliException(signal.equals("SIGINT") ? 130 : 143, message, null);
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
