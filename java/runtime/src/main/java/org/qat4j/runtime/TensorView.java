package org.qat4j.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.BiFunction;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;
import org.qat4j.runtime.TensorIO.Meta;
import org.qat4j.tflite.IndexInputs;

/**
 * A view of one tensor of an {@link Interpreter}: name, element type, shape (the model's layout,
 * NHWC for images), byte size and quantization, and checked copies in and out. Every call re-reads
 * TFLite's tensor, so a view stays valid across {@link Interpreter#resizeInput}; it is owned by its
 * interpreter (same thread rule, unusable after close). This class is the one place where Java
 * array types are checked against the tensor's type.
 *
 * <pre>{@code
 * TensorView in = it.input(0);
 * in.writeReal(pixels);                 // quantized with the input's own scale/zero point if int8/uint8
 * it.invoke();
 * float[] p = it.output(0).readReal();  // dequantized
 * }</pre>
 */
public final class TensorView {
  /**
   * Where the view points: an input or output position, or a tensor index of the model's main
   * subgraph.
   */
  enum Role {
    INPUT,
    OUTPUT,
    MODEL;

    String label(int index) {
      return this == MODEL ? "tensor " + index : name().toLowerCase(Locale.ROOT) + " " + index;
    }

    IndexOutOfBoundsException outOfRange(int index, int count) {
      String what = this == MODEL ? "tensor" : name().toLowerCase(Locale.ROOT);
      return new IndexOutOfBoundsException(
          what + " index " + index + " out of range [0," + count + ")");
    }
  }

  private final Interpreter owner;
  private final Role role;
  private final int index;

  TensorView(Interpreter owner, Role role, int index) {
    this.owner = owner;
    this.role = role;
    this.index = index;
  }

  /** The tensor's name in the model, e.g. {@code it.input(0).name()} → "input". */
  public String name() {
    return meta().name();
  }

  /** Element type, e.g. {@code if (t.dataType() == DType.INT8) ...}. */
  public DType dataType() {
    return meta().type();
  }

  /** Current shape (after any resize), e.g. {@code [1, 28, 28, 1]} for one NHWC image; a copy. */
  public int[] shape() {
    return meta().shape();
  }

  /** Number of elements, the product of {@link #shape()} (1 for a scalar). */
  public long numElements() {
    return meta().elements();
  }

  /** Size of the tensor's data in bytes, e.g. {@code ByteBuffer.allocate((int) t.numBytes())}. */
  public long numBytes() {
    return meta().byteSize();
  }

  /** Scale/zero point (per tensor or per axis), or null for a tensor without quantization. */
  public QuantParams quantization() {
    return meta().quantization();
  }

  /** Writes a FLOAT32 tensor, e.g. {@code it.input(0).write(new float[] {1, 2, 3, 4})}. */
  public void write(float[] src) {
    access(
        true,
        (e, m) -> {
          requireType(m, "float[]", DType.FLOAT32);
          checkFinite(m, src);
          e.write(role, index, m, src);
          return null;
        });
  }

  /**
   * Writes an INT8, UINT8 or BOOL tensor with raw bytes, e.g. {@code
   * it.input(0).write(quantizedPixels)}.
   */
  public void write(byte[] src) {
    access(
        true,
        (e, m) -> {
          requireType(m, "byte[]", DType.INT8, DType.UINT8, DType.BOOL);
          e.write(role, index, m, src);
          return null;
        });
  }

  /**
   * Writes an INT32 tensor, e.g. {@code it.input("ids").write(tokenIds)}; an input read as GATHER
   * positions (token ids of an Embedding) refuses values outside its table's rows.
   */
  public void write(int[] src) {
    access(
        true,
        (e, m) -> {
          requireType(m, "int[]", DType.INT32);
          IndexInputs.check(m.label(), owner.indexLimit(index), src);
          e.write(role, index, m, src);
          return null;
        });
  }

  /**
   * Writes raw little-endian bytes from the buffer's position to its limit (any element type; the
   * byte count must equal {@link #numBytes()}); the buffer's position is not changed.
   */
  public void write(ByteBuffer src) {
    byte[] tmp = new byte[src.remaining()];
    src.duplicate().get(tmp);
    access(
        true,
        (e, m) -> {
          e.write(role, index, m, tmp);
          return null;
        });
  }

  /**
   * Writes real values, quantizing with the tensor's own per-tensor parameters when it is
   * INT8/UINT8, e.g. {@code it.input(0).writeReal(pixelsIn01)}; an INT32 input takes whole numbers
   * (token ids, checked as {@link #write(int[])} does). With {@link
   * Interpreter.Options.Builder#checkInputs(boolean)} NaN and infinities are rejected, naming the
   * tensor and the element index.
   */
  public void writeReal(float[] real) {
    access(
        true,
        (e, m) -> {
          if (m.type() == DType.FLOAT32) {
            checkFinite(m, real);
            e.write(role, index, m, real);
            return null;
          }
          requireType(m, "real float[]", DType.FLOAT32, DType.INT8, DType.UINT8, DType.INT32);
          checkFinite(m, real);
          if (m.type() == DType.INT32) {
            e.write(role, index, m, IndexInputs.fromReal(m.label(), owner.indexLimit(index), real));
            return null;
          }
          e.write(role, index, m, AffineCodec.quantize(real, m.quantization(), m.type()));
          return null;
        });
  }

  /** Reads a FLOAT32 tensor, e.g. {@code float[] logits = it.output(0).readFloats()}. */
  public float[] readFloats() {
    return access(
        false,
        (e, m) -> {
          requireType(m, "float[]", DType.FLOAT32);
          return e.readFloats(role, index, m);
        });
  }

  /**
   * Reads an INT8, UINT8 or BOOL tensor's raw bytes, e.g. {@code byte[] q =
   * it.output(0).readBytes()}.
   */
  public byte[] readBytes() {
    return access(
        false,
        (e, m) -> {
          requireType(m, "byte[]", DType.INT8, DType.UINT8, DType.BOOL);
          return e.readBytes(role, index, m);
        });
  }

  /** Reads an INT32 tensor, e.g. {@code int[] ids = it.output(1).readInts()}. */
  public int[] readInts() {
    return access(
        false,
        (e, m) -> {
          requireType(m, "int[]", DType.INT32);
          return e.readInts(role, index, m);
        });
  }

  /**
   * Raw bytes of any element type in TFLite's order, as a little-endian buffer: {@code
   * buf.getFloat(0)}.
   */
  public ByteBuffer readBuffer() {
    return ByteBuffer.wrap(access(false, (e, m) -> e.readBytes(role, index, m)))
        .order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * Real values, dequantized with the tensor's own parameters when it is INT8/UINT8: {@code
   * o.readReal()}.
   */
  public float[] readReal() {
    return access(
        false,
        (e, m) -> {
          if (m.type() == DType.FLOAT32) {
            return e.readFloats(role, index, m);
          }
          requireType(m, "real float[]", DType.FLOAT32, DType.INT8, DType.UINT8);
          return AffineCodec.dequantize(e.readBytes(role, index, m), m.quantization(), m.type());
        });
  }

  /** E.g. {@code input 0 'x' INT8[1, 4] scale=0.5, zp=-1}. */
  @Override
  public String toString() {
    return meta().toString();
  }

  private Meta meta() {
    return access(false, (e, m) -> m);
  }

  private <T> T access(boolean write, BiFunction<Engine, Meta, T> body) {
    return owner.enter(
        () -> {
          Engine e = owner.engine();
          Meta m = e.meta(role, index);
          if (write && role != Role.INPUT) {
            throw new IllegalStateException(
                "cannot write " + m.label() + ": only inputs are writable");
          }
          return body.apply(e, m);
        });
  }

  private void checkFinite(Meta m, float[] values) {
    if (!owner.options().checkInputs()) {
      return;
    }
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new IllegalArgumentException(
            m.label()
                + ": element "
                + i
                + " is "
                + values[i]
                + " (Options.checkInputs rejects NaN and infinite inputs)");
      }
    }
  }

  private static void requireType(Meta m, String javaType, DType... allowed) {
    for (DType a : allowed) {
      if (m.type() == a) {
        return;
      }
    }
    throw new IllegalArgumentException(
        m + " is " + m.type() + "; " + javaType + " needs " + Arrays.toString(allowed));
  }
}
