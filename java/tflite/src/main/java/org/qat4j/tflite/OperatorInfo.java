package org.qat4j.tflite;

import java.util.Arrays;
import java.util.Map;

/**
 * One operator of a subgraph: its name ("CONV_2D", or the custom code such as "edgetpu-custom-op"
 * for CUSTOM ops), builtin code, operator-code version, tensor indices (−1 = omitted optional
 * input) and decoded builtin options (names as in the TFLite schema; empty for options this reader
 * does not decode).
 */
public record OperatorInfo(
    int index,
    int opcodeIndex,
    String opName,
    int builtinCode,
    String customCode,
    int version,
    int[] inputs,
    int[] outputs,
    String optionsType,
    Map<String, Object> options,
    int customOptionsSize) {
  public OperatorInfo {
    inputs = inputs.clone();
    outputs = outputs.clone();
    options = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(options));
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  @Override
  public int[] outputs() {
    return outputs.clone();
  }

  /**
   * The schema name of builtin operator code {@code code} ("CONV_2D"), or "BUILTIN_n" for codes it
   * does not know.
   */
  public static String builtinName(int code) {
    return BuiltinNames.op(code);
  }

  /** True for CUSTOM operators (see {@link #customCode()}). */
  public boolean custom() {
    return customCode != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OperatorInfo p
        && index == p.index
        && opcodeIndex == p.opcodeIndex
        && opName.equals(p.opName)
        && builtinCode == p.builtinCode
        && java.util.Objects.equals(customCode, p.customCode)
        && version == p.version
        && Arrays.equals(inputs, p.inputs)
        && Arrays.equals(outputs, p.outputs)
        && optionsType.equals(p.optionsType)
        && options.equals(p.options)
        && customOptionsSize == p.customOptionsSize;
  }

  @Override
  public int hashCode() {
    return index * 31 + opName.hashCode() + Arrays.hashCode(inputs);
  }

  @Override
  public String toString() {
    return "#"
        + index
        + " "
        + opName
        + " v"
        + version
        + " "
        + Arrays.toString(inputs)
        + "->"
        + Arrays.toString(outputs);
  }
}
