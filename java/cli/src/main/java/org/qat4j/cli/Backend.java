package org.qat4j.cli;

/** Execution backends accepted by {@code --backend}. */
enum Backend {
  BUILTIN,
  XNNPACK,
  NNAPI,
  EDGETPU;

  String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }
}
