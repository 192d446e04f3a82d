package org.qat4j.ir;

/**
 * One tensor of a lowered graph: full shape (batch first for activations; TFLite layouts for
 * weights: OHWI conv, 1HWC depthwise, [out,in] fully connected), element type, optional
 * quantization, and constant data for weights (float[], byte[] for int8/uint8, int[] for int32,
 * long[] for int64 parameters such as axes, positions and shapes; null for activations).
 */
public record TensorSpec(String name, int[] shape, DType type, QuantParams quant, Object data) {
  public TensorSpec {
    shape = shape.clone();
    if (data != null
        && !(data instanceof float[]
            || data instanceof byte[]
            || data instanceof int[]
            || data instanceof long[])) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': data must be float[], byte[], int[] or long[]");
    }
  }

  public static TensorSpec activation(String name, int[] shape, DType type, QuantParams q) {
    return new TensorSpec(name, shape, type, q, null);
  }

  public boolean isConstant() {
    return data != null;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  public int elements() {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }
}
