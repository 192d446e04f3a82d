package org.qat4j.runtime;

/**
 * Failure of a TFLite step (model check, native create, invoke, tensor copy); the message names the
 * step and TFLite's own log.
 */
public class TfliteException extends RuntimeException {
  private final String step;

  public TfliteException(String step, String message) {
    super(step + ": " + message);
    this.step = step;
  }

  public TfliteException(String step, String message, Throwable cause) {
    super(step + ": " + message, cause);
    this.step = step;
  }

  /** The step that failed, e.g. "TfLiteInterpreterCreate" or "model check". */
  public String step() {
    return step;
  }
}
