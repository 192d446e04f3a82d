package org.qat4j.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model lowered to TFLite operators: the single contract between lowering (float or int8, in this
 * module), the integer simulator, the .tflite writer and the importer. Tensors are referred to by
 * index; ops are in execution order; metadata maps names to raw bytes (e.g. "qat4j.labels").
 */
public record LoweredGraph(
    String name,
    List<TensorSpec> tensors,
    List<OpSpec> ops,
    int[] inputs,
    int[] outputs,
    Map<String, byte[]> metadata,
    String description) {
  public LoweredGraph {
    tensors = List.copyOf(tensors);
    ops = List.copyOf(ops);
    inputs = inputs.clone();
    outputs = outputs.clone();
    metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  @Override
  public int[] outputs() {
    return outputs.clone();
  }

  public TensorSpec tensor(int i) {
    return tensors.get(i);
  }
}
