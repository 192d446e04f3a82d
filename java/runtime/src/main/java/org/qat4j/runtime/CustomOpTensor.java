package org.qat4j.runtime;

import org.bytedeco.tensorflowlite.TfLiteTensor;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;
import org.qat4j.runtime.TensorIO.Meta;

/**
 * One input or output of a {@link CustomOp} call: metadata and copies from/to TFLite's memory
 * (NHWC, little-endian as TFLite holds it). Valid only during the call; outputs are writable only
 * in {@link CustomOp#invoke}. Java array types are checked against the tensor type (float[] ↔
 * FLOAT32, int[] ↔ INT32, byte[] ↔ one-byte types).
 */
public final class CustomOpTensor {
  private final TfLiteTensor tensor;
  private final Meta meta;
  private final boolean output;
  private boolean writable;
  private boolean valid = true;

  CustomOpTensor(TfLiteTensor tensor, String label, boolean output) {
    this.tensor = tensor;
    this.meta = TensorIO.meta(tensor, label);
    this.output = output;
  }

  /** Tensor name from the model. */
  public String name() {
    return check().name();
  }

  public DType dataType() {
    return check().type();
  }

  /** Shape (NHWC for images) at the time of the call; a copy. */
  public int[] shape() {
    return check().shape().clone();
  }

  public long numBytes() {
    return check().byteSize();
  }

  /** Affine quantization, or null when the tensor has none. */
  public QuantParams quantization() {
    return check().quantization();
  }

  public float[] readFloats() {
    return TensorIO.readFloats(tensor, type(DType.FLOAT32));
  }

  public int[] readInts() {
    return TensorIO.readInts(tensor, type(DType.INT32));
  }

  /** The raw bytes (any type). */
  public byte[] readBytes() {
    return TensorIO.readBytes(tensor, check());
  }

  public void write(float[] values) {
    TensorIO.write(tensor, writeCheck(DType.FLOAT32), values);
  }

  public void write(int[] values) {
    TensorIO.write(tensor, writeCheck(DType.INT32), values);
  }

  /**
   * Raw bytes for one-byte types (INT8, UINT8, BOOL); the length must equal {@link #numBytes()}.
   */
  public void write(byte[] values) {
    Meta m = writeCheck(null);
    if (m.type().bytes() != 1) {
      throw new IllegalArgumentException(m + ": byte[] needs a one-byte type");
    }
    TensorIO.write(tensor, m, values);
  }

  void allowWrites() {
    writable = output;
  }

  void invalidate() {
    valid = false;
  }

  private Meta writeCheck(DType type) {
    Meta m = type == null ? check() : type(type);
    if (!writable) {
      throw new IllegalStateException(
          m + " is not writable (only outputs, and only during CustomOp.invoke)");
    }
    return m;
  }

  private Meta type(DType type) {
    Meta m = check();
    if (m.type() != type) {
      throw new IllegalArgumentException(m + " is " + m.type() + ", not " + type);
    }
    return m;
  }

  private Meta check() {
    if (!valid) {
      throw new IllegalStateException(
          meta.label() + " is no longer valid (CustomOpTensor lives only during the call)");
    }
    return meta;
  }

  @Override
  public String toString() {
    return meta.toString();
  }
}
