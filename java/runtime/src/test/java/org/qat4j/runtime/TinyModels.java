package org.qat4j.runtime;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.FullyConnectedOptions;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.QuantizationParameters;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * Test-only builder of tiny .tflite models (FULLY_CONNECTED graphs) and of the spec's malformed
 * variants.
 */
final class TinyModels {
  static final int FLOAT32 = 0;
  static final int INT32 = 2;
  static final int INT8 = 9;

  record T(int[] shape, int type, int buffer, String name, float[] scales, long[] zps, int axis) {}

  final List<T> tensors = new ArrayList<>();
  final List<byte[]> buffers = new ArrayList<>();
  final List<int[]> ops = new ArrayList<>(); // {opcode, inputs..., -99, outputs...}
  int[] inputs;
  int[] outputs;
  int builtin = 9;
  int opVersion = 1;
  String customCode; // with builtin = 32 (CUSTOM): the operator's custom code
  byte[] customOptions; // the operators' custom_options (null: none)
  boolean noSubgraphs;
  boolean noBuffers;

  TinyModels() {
    buffers.add(new byte[0]);
  }

  int buffer(byte[] data) {
    buffers.add(data);
    return buffers.size() - 1;
  }

  int tensor(String name, int type, int buffer, int... shape) {
    tensors.add(new T(shape, type, buffer, name, null, null, 0));
    return tensors.size() - 1;
  }

  int qtensor(
      String name, int type, int buffer, float[] scales, long[] zps, int axis, int... shape) {
    tensors.add(new T(shape, type, buffer, name, scales, zps, axis));
    return tensors.size() - 1;
  }

  void op(int[] in, int[] out) {
    int[] o = new int[in.length + out.length + 1];
    System.arraycopy(in, 0, o, 0, in.length);
    o[in.length] = -99;
    System.arraycopy(out, 0, o, in.length + 1, out.length);
    ops.add(o);
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  static byte[] ints(int... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int f : v) {
      b.putInt(f);
    }
    return b.array();
  }

  static final float[] W = {0.5f, -1f, 2f, 0.25f, 1f, 1f, -1f, 0f, -0.5f, 3f, 0.75f, -2f};
  static final float[] B = {0.1f, -0.2f, 0.3f};

  /** y[1,3] = x[1,4] · W[3,4]^T + b, float32. */
  static TinyModels floatFc() {
    TinyModels m = new TinyModels();
    int x = m.tensor("x", FLOAT32, 0, 1, 4);
    int w = m.tensor("w", FLOAT32, m.buffer(floats(W)), 3, 4);
    int b = m.tensor("b", FLOAT32, m.buffer(floats(B)), 3);
    int y = m.tensor("y", FLOAT32, 0, 1, 3);
    m.op(new int[] {x, w, b}, new int[] {y});
    m.inputs = new int[] {x};
    m.outputs = new int[] {y};
    return m;
  }

  static final byte[] WQ = {2, -4, 8, 1, 4, 4, -4, 0, -2, 12, 3, -8};
  static final int[] BQ = {16, -8, 40};

  /**
   * int8 FC: x scale 0.5 zp -1, w scale 0.25 (per-tensor), bias int32 scale 0.125, y scale 1 zp 2.
   */
  static TinyModels int8Fc() {
    TinyModels m = new TinyModels();
    int x = m.qtensor("x", INT8, 0, new float[] {0.5f}, new long[] {-1}, 0, 1, 4);
    int w = m.qtensor("w", INT8, m.buffer(WQ), new float[] {0.25f}, new long[] {0}, 0, 3, 4);
    int b = m.qtensor("b", INT32, m.buffer(ints(BQ)), new float[] {0.125f}, new long[] {0}, 0, 3);
    int y = m.qtensor("y", INT8, 0, new float[] {1f}, new long[] {2}, 0, 1, 3);
    m.op(new int[] {x, w, b}, new int[] {y});
    m.inputs = new int[] {x};
    m.outputs = new int[] {y};
    return m;
  }

  /** Java reference of {@link #int8Fc()}: round-half-away requantization, saturating to int8. */
  static byte[] int8FcReference(byte[] xq) {
    byte[] out = new byte[3];
    for (int o = 0; o < 3; o++) {
      long acc = BQ[o];
      for (int i = 0; i < 4; i++) {
        acc += (long) (xq[i] + 1) * WQ[o * 4 + i];
      }
      double real = acc * (0.5 * 0.25 / 1.0);
      long q = (real < 0 ? -Math.round(-real) : Math.round(real)) + 2;
      out[o] = (byte) Math.max(-128, Math.min(127, q));
    }
    return out;
  }

  byte[] build() {
    FlatBufferBuilder fb = new FlatBufferBuilder(1024);
    int[] bufs = new int[buffers.size()];
    for (int i = 0; i < bufs.length; i++) {
      int data = buffers.get(i).length == 0 ? 0 : Buffer.createDataVector(fb, buffers.get(i));
      Buffer.startBuffer(fb);
      if (data != 0) {
        Buffer.addData(fb, data);
      }
      bufs[i] = Buffer.endBuffer(fb);
    }
    int[] ts = new int[tensors.size()];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = tensor(fb, tensors.get(i));
    }
    int[] os = new int[ops.size()];
    for (int i = 0; i < os.length; i++) {
      os[i] = operator(fb, ops.get(i));
    }
    int sg = subgraph(fb, ts, os);
    int custom = customCode == null ? 0 : fb.createString(customCode);
    int code =
        OperatorCode.createOperatorCode(
            fb, (byte) Math.min(builtin, 127), custom, opVersion, builtin);
    int codes = Model.createOperatorCodesVector(fb, new int[] {code});
    int sgs = noSubgraphs ? 0 : Model.createSubgraphsVector(fb, new int[] {sg});
    int bv = noBuffers ? 0 : Model.createBuffersVector(fb, bufs);
    Model.startModel(fb);
    Model.addVersion(fb, 3);
    Model.addOperatorCodes(fb, codes);
    if (sgs != 0) {
      Model.addSubgraphs(fb, sgs);
    }
    if (bv != 0) {
      Model.addBuffers(fb, bv);
    }
    Model.finishModelBuffer(fb, Model.endModel(fb));
    return fb.sizedByteArray();
  }

  private static int tensor(FlatBufferBuilder fb, T t) {
    int shape = Tensor.createShapeVector(fb, t.shape());
    int name = fb.createString(t.name());
    int q = 0;
    if (t.scales() != null) {
      int s = QuantizationParameters.createScaleVector(fb, t.scales());
      int z = QuantizationParameters.createZeroPointVector(fb, t.zps());
      QuantizationParameters.startQuantizationParameters(fb);
      QuantizationParameters.addScale(fb, s);
      QuantizationParameters.addZeroPoint(fb, z);
      QuantizationParameters.addQuantizedDimension(fb, t.axis());
      q = QuantizationParameters.endQuantizationParameters(fb);
    }
    Tensor.startTensor(fb);
    Tensor.addShape(fb, shape);
    Tensor.addType(fb, (byte) t.type());
    Tensor.addBuffer(fb, t.buffer());
    Tensor.addName(fb, name);
    if (q != 0) {
      Tensor.addQuantization(fb, q);
    }
    return Tensor.endTensor(fb);
  }

  private int operator(FlatBufferBuilder fb, int[] spec) {
    int split = 0;
    while (spec[split] != -99) {
      split++;
    }
    int[] in = java.util.Arrays.copyOfRange(spec, 0, split);
    int[] out = java.util.Arrays.copyOfRange(spec, split + 1, spec.length);
    int iv = Operator.createInputsVector(fb, in);
    int ov = Operator.createOutputsVector(fb, out);
    int opts =
        builtin == 9
            ? FullyConnectedOptions.createFullyConnectedOptions(
                fb, (byte) 0, (byte) 0, false, false)
            : 0;
    int custom = customOptions == null ? 0 : Operator.createCustomOptionsVector(fb, customOptions);
    Operator.startOperator(fb);
    Operator.addOpcodeIndex(fb, 0);
    if (custom != 0) {
      Operator.addCustomOptions(fb, custom);
    }
    Operator.addInputs(fb, iv);
    Operator.addOutputs(fb, ov);
    if (opts != 0) {
      Operator.addBuiltinOptionsType(fb, (byte) 8);
      Operator.addBuiltinOptions(fb, opts);
    }
    return Operator.endOperator(fb);
  }

  private int subgraph(FlatBufferBuilder fb, int[] ts, int[] os) {
    int tv = SubGraph.createTensorsVector(fb, ts);
    int iv = SubGraph.createInputsVector(fb, inputs);
    int ov = SubGraph.createOutputsVector(fb, outputs);
    int opv = SubGraph.createOperatorsVector(fb, os);
    SubGraph.startSubGraph(fb);
    SubGraph.addTensors(fb, tv);
    SubGraph.addInputs(fb, iv);
    SubGraph.addOutputs(fb, ov);
    SubGraph.addOperators(fb, opv);
    return SubGraph.endSubGraph(fb);
  }
}
