package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.ir.arith.RoundingMode;

/** Tiny int8 graphs and byte helpers shared by the SimulatorInt8 tests. */
final class Int8Graphs {
  private Int8Graphs() {}

  static int q8(LoweredGraphBuilder b, String n, float scale, int zp, int... shape) {
    return b.addTensor(
        TensorSpec.activation(n, shape, DType.INT8, QuantParams.perTensor(scale, zp)));
  }

  /** A constant int8 weight tensor "w" of {@code shape}. */
  static int w8(LoweredGraphBuilder b, int[] shape, QuantParams q, byte[] data) {
    return b.addTensor(new TensorSpec("w", shape, DType.INT8, q, data));
  }

  static byte[] bytes(int... v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
    return b;
  }

  static int[] ints(byte[] b) {
    int[] r = new int[b.length];
    for (int i = 0; i < b.length; i++) r[i] = b[i];
    return r;
  }

  static int[] run1(LoweredGraph g, RoundingMode m, byte[] x) {
    return ints((byte[]) new Simulator(g, m).run(x)[0]);
  }

  static LoweredGraph unary(
      OpKind k, OpOptions o, float si, int zi, float so, int zo, int... shape) {
    return unary(k, o, si, zi, so, zo, shape, shape);
  }

  static LoweredGraph unary(
      OpKind k, OpOptions o, float si, int zi, float so, int zo, int[] inShape, int[] outShape) {
    LoweredGraphBuilder b = new LoweredGraphBuilder("t");
    int x = q8(b, "x", si, zi, inShape), y = q8(b, "y", so, zo, outShape);
    b.addOp(k, new int[] {x}, new int[] {y}, o);
    return b.setInputs(x).setOutputs(y).build();
  }
}
