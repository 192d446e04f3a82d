package org.qat4j.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.ir.DType;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.arith.QuantMath;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TensorView;

/**
 * Raw tensor values of models from anywhere, in the integer simulator's external forms: {@code
 * byte[]} (INT8, UINT8, BOOL), {@code float[]} (FLOAT32), {@code int[]} (INT32), {@code long[]}
 * (INT64), {@code short[]} (INT16); row-major with the tensor's shape, one sample.
 */
final class TensorIo {
  private TensorIo() {}

  /**
   * One input or output of a model: name, element type, shape (batch included) and per-tensor
   * quantization (scale 0 when none).
   */
  record Port(String name, DType type, int[] shape, float scale, int zeroPoint) {
    static Port of(TensorView v) {
      QuantParams q = v.quantization();
      boolean per = q != null && !q.perAxis();
      return new Port(
          v.name(), v.dataType(), v.shape(), per ? q.scale() : 0f, per ? (int) q.zeroPoint() : 0);
    }

    boolean quantized() {
      return scale > 0;
    }

    int elements() {
      int n = 1;
      for (int d : shape) n *= d;
      return n;
    }

    /** E.g. {@code 'input' UINT8[1, 224, 224, 3] scale 0.0078125 zero point 128}. */
    String describe() {
      return "'"
          + name
          + "' "
          + type
          + Arrays.toString(shape)
          + (quantized() ? " scale " + scale + " zero point " + zeroPoint : "");
    }
  }

  static List<Port> inputs(Interpreter it) {
    List<Port> l = new ArrayList<>();
    for (int i = 0; i < it.inputCount(); i++) l.add(Port.of(it.input(i)));
    return l;
  }

  static List<Port> outputs(Interpreter it) {
    List<Port> l = new ArrayList<>();
    for (int i = 0; i < it.outputCount(); i++) l.add(Port.of(it.output(i)));
    return l;
  }

  /** Writes one sample's raw value into an input. */
  static void write(TensorView v, Object raw) {
    if (raw instanceof byte[] b) v.write(b);
    else if (raw instanceof float[] f) v.write(f);
    else if (raw instanceof int[] i) v.write(i);
    else v.write(buffer(raw));
  }

  /** Reads an output's raw value. */
  static Object read(TensorView v) {
    return switch (v.dataType()) {
      case INT8, UINT8, BOOL -> v.readBytes();
      case FLOAT32 -> v.readFloats();
      case INT32 -> v.readInts();
      case INT64 -> {
        long[] l = new long[(int) v.numElements()];
        v.readBuffer().asLongBuffer().get(l);
        yield l;
      }
      case INT16 -> {
        short[] s = new short[(int) v.numElements()];
        v.readBuffer().asShortBuffer().get(s);
        yield s;
      }
      case FLOAT16 ->
          throw CliException.failed("output '" + v.name() + "' is FLOAT16: not supported here");
    };
  }

  /** The stored numbers of a raw value (integers as such, UINT8 unsigned). */
  static double[] numbers(Object raw, DType type) {
    double[] d = new double[length(raw)];
    boolean unsigned = type == DType.UINT8 || type == DType.BOOL;
    for (int i = 0; i < d.length; i++) {
      if (raw instanceof byte[] b) d[i] = unsigned ? b[i] & 0xFF : b[i];
      else if (raw instanceof float[] f) d[i] = f[i];
      else if (raw instanceof int[] x) d[i] = x[i];
      else if (raw instanceof long[] x) d[i] = x[i];
      else d[i] = ((short[]) raw)[i];
    }
    return d;
  }

  /** Real values: (q − zero point) · scale for quantized ports, the numbers otherwise. */
  static float[] real(Object raw, Port p) {
    double[] d = numbers(raw, p.type());
    float[] r = new float[d.length];
    for (int i = 0; i < r.length; i++)
      r[i] = p.quantized() ? (float) ((d[i] - p.zeroPoint()) * p.scale()) : (float) d[i];
    return r;
  }

  /** Real values as the port's raw form: quantized (round half away, saturated) or as floats. */
  static Object fromReal(float[] real, Port p) {
    return switch (p.type()) {
      case FLOAT32 -> real.clone();
      case INT8, UINT8 -> {
        if (!p.quantized())
          throw CliException.usage(
              "input " + p.describe() + " has no quantization: real values cannot be fed to it");
        boolean u = p.type() == DType.UINT8;
        byte[] b = new byte[real.length];
        for (int i = 0; i < b.length; i++) {
          long q = (long) QuantMath.cRound((double) real[i] / p.scale()) + p.zeroPoint();
          b[i] = (byte) Math.max(u ? 0 : -128, Math.min(u ? 255 : 127, q));
        }
        yield b;
      }
      case INT32 -> {
        int[] v = new int[real.length];
        for (int i = 0; i < v.length; i++) v[i] = Math.round(real[i]);
        yield v;
      }
      default ->
          throw CliException.usage("input " + p.describe() + ": element type not supported here");
    };
  }

  static int length(Object raw) {
    if (raw instanceof byte[] b) return b.length;
    if (raw instanceof float[] f) return f.length;
    if (raw instanceof int[] x) return x.length;
    if (raw instanceof long[] x) return x.length;
    if (raw instanceof short[] x) return x.length;
    throw new IllegalArgumentException("not a tensor value: " + raw);
  }

  private static ByteBuffer buffer(Object raw) {
    ByteBuffer b;
    if (raw instanceof long[] l) {
      b = ByteBuffer.allocate(l.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (long x : l) b.putLong(x);
    } else if (raw instanceof short[] s) {
      b = ByteBuffer.allocate(s.length * 2).order(ByteOrder.LITTLE_ENDIAN);
      for (short x : s) b.putShort(x);
    } else {
      throw new IllegalArgumentException("not a tensor value: " + raw);
    }
    return b.flip();
  }
}
