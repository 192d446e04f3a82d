package org.qat4j.keras;

/**
 * A Keras file cannot be imported: unreadable, inconsistent, or using a layer or option qat4j's
 * layers cannot express exactly. The message names the file and, where it applies, the Keras layer
 * class and name (e.g. "model.h5, layer 'lstm_1' (LSTM): ...").
 */
public class KerasImportException extends RuntimeException {
  private final String where;

  public KerasImportException(String where, String what) {
    super(where == null || where.isEmpty() ? what : where + ": " + what);
    this.where = where == null ? "" : where;
  }

  public KerasImportException(String where, String what, Throwable cause) {
    this(where, what);
    initCause(cause);
  }

  /** File and, where it applies, the layer the problem concerns. */
  public String where() {
    return where;
  }
}
