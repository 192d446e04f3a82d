package org.qat4j.tflite.edgetpu;

/** Operator status strings, worded as in the EdgeTPU compiler's operation log (edgetpu.md §4). */
public final class Status {
  private Status() {}

  public static final String MAPPED = "Mapped to Edge TPU";
  public static final String AFTER_CUT = "More than one subgraph is not supported";
  public static final String LIMITATION =
      "Operation is otherwise supported, but not mapped due to some unspecified limitation";
  public static final String DATA_TYPE = "Operation is working on an unsupported data type";
  public static final String VERSION = "Operation version not supported";

  /** Our wording for operators absent from the compiler's supported-ops table. */
  public static final String UNSUPPORTED = "Operation not supported";

  /** Compiled models: an operator the compiler already turned into an Edge TPU segment. */
  public static final String COMPILED_SEGMENT = "Edge TPU segment (edgetpu-custom-op)";

  /** Compiled models: an operator the compiler left on the CPU. */
  public static final String COMPILED_CPU = "Runs on CPU (left by the compiler)";
}
