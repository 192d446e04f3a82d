package org.qat4j.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A dense float32 tensor, batch first, images in NHWC order, stored in native memory so the GEMM
 * path reads and writes it without copies. Views created by {@link #reshape} share storage.
 */
public final class Tensor {
  private final int[] shape;
  private final int size;
  private final FloatPointer ptr;
  private final FloatBuffer buf;

  private Tensor(int[] shape, FloatPointer ptr, FloatBuffer buf) {
    this.shape = shape.clone();
    this.size = Shapes.size(shape);
    this.ptr = ptr;
    this.buf = buf;
  }

  /** A zero-filled tensor of the given shape. */
  public static Tensor zeros(int... shape) {
    int n = Shapes.size(shape);
    FloatPointer p = new FloatPointer(Math.max(n, 1));
    p.zero();
    FloatBuffer b = p.asBuffer();
    return new Tensor(shape, p, b);
  }

  /** A tensor holding a copy of {@code values}. */
  public static Tensor of(float[] values, int... shape) {
    Tensor t = zeros(shape);
    if (values.length != t.size) {
      throw new IllegalArgumentException(
          "values has "
              + values.length
              + " elements, shape "
              + Arrays.toString(shape)
              + " needs "
              + t.size);
    }
    t.buf.put(0, values);
    return t;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public int dim(int i) {
    return shape[i < 0 ? shape.length + i : i];
  }

  public int size() {
    return size;
  }

  /** The native storage; shared, not owned by the caller. */
  public FloatPointer pointer() {
    return ptr;
  }

  /**
   * A new byte view of the storage in native order (float i at byte 4·i), as the Vector API's
   * {@code fromByteBuffer}/{@code intoByteBuffer} take it; shared, not owned by the caller.
   */
  public ByteBuffer bytes() {
    return ptr.asByteBuffer().order(ByteOrder.nativeOrder());
  }

  /** A direct buffer over the storage (absolute get/put only; never flip or reposition it). */
  public FloatBuffer buffer() {
    return buf;
  }

  public float get(int i) {
    return buf.get(i);
  }

  public void set(int i, float v) {
    buf.put(i, v);
  }

  /** Element at a multi-dimensional index. */
  public float at(int... idx) {
    return buf.get(Shapes.offset(shape, idx));
  }

  public float[] toArray() {
    float[] a = new float[size];
    buf.get(0, a);
    return a;
  }

  public void fill(float v) {
    if (v == 0f) {
      ptr.zero();
      return;
    }
    for (int i = 0; i < size; i++) buf.put(i, v);
  }

  public void copyFrom(Tensor src) {
    if (src.size != size)
      throw new IllegalArgumentException("size mismatch " + src.size + " vs " + size);
    buf.put(0, src.buf, 0, size);
  }

  public void copyFrom(float[] src) {
    if (src.length != size)
      throw new IllegalArgumentException("size mismatch " + src.length + " vs " + size);
    buf.put(0, src);
  }

  /** A view with a new shape over the same storage. */
  public Tensor reshape(int... newShape) {
    if (Shapes.size(newShape) != size) {
      throw new IllegalArgumentException(
          "cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new Tensor(newShape, ptr, buf);
  }

  public Tensor copy() {
    Tensor t = zeros(shape);
    t.copyFrom(this);
    return t;
  }

  /** True when {@code t} has exactly this shape. */
  public boolean sameShape(int... other) {
    return Arrays.equals(shape, other);
  }

  /**
   * Returns {@code t} if it already has {@code shape}, else a fresh zero tensor (buffer reuse in
   * layers).
   */
  public static Tensor reuse(Tensor t, int... shape) {
    return t != null && Arrays.equals(t.shape, shape) ? t : zeros(shape);
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
