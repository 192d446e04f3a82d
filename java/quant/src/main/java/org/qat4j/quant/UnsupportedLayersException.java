package org.qat4j.quant;

import java.util.List;

/**
 * Thrown once for a model with layers that cannot be quantized; lists every offending layer and
 * why.
 */
public final class UnsupportedLayersException extends IllegalArgumentException {
  private final List<String> problems;

  public UnsupportedLayersException(List<String> problems) {
    super(problems.size() + " layer(s) cannot be quantized:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per offending layer: "'name' (Type): reason". */
  public List<String> problems() {
    return problems;
  }
}
