package org.qat4j.tflite;

import java.util.Arrays;
import org.qat4j.ir.DType;

/**
 * One tensor of a subgraph as stored in a .tflite file. {@code typeCode}/{@code typeName} are the
 * file's raw TensorType (any value, e.g. 9/"INT8", kept for messages); {@link #dtype()} is the
 * element type; {@code bufferBytes} is the size of its constant data (0 for activations); {@code
 * quantization} is null when absent. Shapes are batch-first NHWC as TFLite stores them.
 */
public record TensorInfo(
    int index,
    String name,
    int[] shape,
    int[] shapeSignature,
    int typeCode,
    String typeName,
    int buffer,
    long bufferBytes,
    QuantizationInfo quantization,
    boolean variable,
    boolean sparse) {
  public TensorInfo {
    shape = shape.clone();
    shapeSignature = shapeSignature.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int[] shapeSignature() {
    return shapeSignature.clone();
  }

  /**
   * The element type, or null for a file type without one (STRING, COMPLEX64, RESOURCE, an unknown
   * code).
   */
  public DType dtype() {
    for (DType d : DType.values()) if (d.tfliteCode() == typeCode) return d;
    return null;
  }

  /** True when the tensor has constant data in the file. */
  public boolean constant() {
    return bufferBytes > 0;
  }

  /** Number of elements (product of the shape; 1 for a scalar). */
  public long elements() {
    long n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && index == t.index
        && name.equals(t.name)
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(shapeSignature, t.shapeSignature)
        && typeCode == t.typeCode
        && buffer == t.buffer
        && bufferBytes == t.bufferBytes
        && java.util.Objects.equals(quantization, t.quantization)
        && variable == t.variable
        && sparse == t.sparse;
  }

  @Override
  public int hashCode() {
    return index * 31 + name.hashCode() * 7 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "#" + index + " " + name + " " + typeName + Arrays.toString(shape);
  }
}
