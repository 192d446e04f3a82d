package org.qat4j.tflite;

/**
 * A .tflite file (or a graph to be written as one) is malformed or unsafe to hand to TFLite. The
 * message names what is wrong and where (e.g. "subgraph 0, operator 3, input 1").
 */
public class ModelFormatException extends RuntimeException {
  private final String where;

  public ModelFormatException(String where, String what) {
    super(where == null || where.isEmpty() ? what : where + ": " + what);
    this.where = where == null ? "" : where;
  }

  public ModelFormatException(String where, String what, Throwable cause) {
    this(where, what);
    initCause(cause);
  }

  /** Location inside the model, empty when the problem concerns the whole file. */
  public String where() {
    return where;
  }
}
