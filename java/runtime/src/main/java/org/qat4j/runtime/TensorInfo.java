package org.qat4j.runtime;

import java.util.Arrays;

/** Description of an interpreter tensor: index in the subgraph, name, element type, shape (NHWC for images), byte size, quantization. */
public record TensorInfo(int index, String name, DataType type, int[] shape, long byteSize, Quantization quantization) {
  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements (product of the shape). */
  public long elementCount() {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public String toString() {
    return "#" + index + " '" + name + "' " + type + Arrays.toString(shape) + " " + quantization;
  }
}
