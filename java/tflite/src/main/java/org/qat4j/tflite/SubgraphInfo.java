package org.qat4j.tflite;

import java.util.Arrays;
import java.util.List;

/**
 * One subgraph of a .tflite model: tensors, operators in execution order, input and output tensor
 * indices.
 */
public record SubgraphInfo(
    int index,
    String name,
    List<TensorInfo> tensors,
    List<OperatorInfo> operators,
    int[] inputs,
    int[] outputs) {
  public SubgraphInfo {
    tensors = List.copyOf(tensors);
    operators = List.copyOf(operators);
    inputs = inputs.clone();
    outputs = outputs.clone();
  }

  @Override
  public int[] inputs() {
    return inputs.clone();
  }

  @Override
  public int[] outputs() {
    return outputs.clone();
  }

  public TensorInfo tensor(int i) {
    return tensors.get(i);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SubgraphInfo s
        && index == s.index
        && name.equals(s.name)
        && tensors.equals(s.tensors)
        && operators.equals(s.operators)
        && Arrays.equals(inputs, s.inputs)
        && Arrays.equals(outputs, s.outputs);
  }

  @Override
  public int hashCode() {
    return tensors.hashCode() * 31 + operators.hashCode();
  }
}
