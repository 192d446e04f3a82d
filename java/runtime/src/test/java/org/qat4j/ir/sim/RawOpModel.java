package org.qat4j.ir.sim;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.QuantizationParameters;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * Test-only writer of a one-operator .tflite for builtins the IR and TfliteWriter do not know yet:
 * tensors (shape, type code, optional per-tensor quantization, optional constant bytes), one
 * operator with hand-built options.
 */
final class RawOpModel {
  private record T(int[] shape, int type, float scale, long zp, byte[] data) {}

  private final List<T> tensors = new ArrayList<>();
  private final int builtin, version, optionsType;
  private final ToIntFunction<FlatBufferBuilder> options;

  /** {@code options} builds the options table and returns its offset (or 0 with optionsType 0). */
  RawOpModel(int builtin, int version, int optionsType, ToIntFunction<FlatBufferBuilder> options) {
    this.builtin = builtin;
    this.version = version;
    this.optionsType = optionsType;
    this.options = options;
  }

  /**
   * Adds a tensor; scale ≤ 0 means no quantization, data null means an activation. Returns its
   * index.
   */
  int tensor(int[] shape, int type, float scale, long zp, byte[] data) {
    tensors.add(new T(shape.clone(), type, scale, zp, data));
    return tensors.size() - 1;
  }

  byte[] build(int[] opInputs, int[] opOutputs, int[] graphInputs, int[] graphOutputs) {
    FlatBufferBuilder fb = new FlatBufferBuilder(1024);
    int[] bufs = new int[tensors.size() + 1];
    Buffer.startBuffer(fb);
    bufs[0] = Buffer.endBuffer(fb);
    int[] ts = new int[tensors.size()];
    for (int i = 0; i < ts.length; i++) {
      T t = tensors.get(i);
      int data = t.data() == null ? 0 : Buffer.createDataVector(fb, t.data());
      Buffer.startBuffer(fb);
      if (data != 0) Buffer.addData(fb, data);
      bufs[i + 1] = Buffer.endBuffer(fb);
      ts[i] = tensor(fb, t, t.data() == null ? 0 : i + 1, "t" + i);
    }
    int opts = options.applyAsInt(fb);
    int iv = Operator.createInputsVector(fb, opInputs),
        ov = Operator.createOutputsVector(fb, opOutputs);
    Operator.startOperator(fb);
    Operator.addOpcodeIndex(fb, 0);
    Operator.addInputs(fb, iv);
    Operator.addOutputs(fb, ov);
    if (opts != 0) {
      Operator.addBuiltinOptionsType(fb, (byte) optionsType);
      Operator.addBuiltinOptions(fb, opts);
    }
    int op = Operator.endOperator(fb);
    int tv = SubGraph.createTensorsVector(fb, ts),
        opv = SubGraph.createOperatorsVector(fb, new int[] {op});
    int gi = SubGraph.createInputsVector(fb, graphInputs),
        go = SubGraph.createOutputsVector(fb, graphOutputs);
    SubGraph.startSubGraph(fb);
    SubGraph.addTensors(fb, tv);
    SubGraph.addInputs(fb, gi);
    SubGraph.addOutputs(fb, go);
    SubGraph.addOperators(fb, opv);
    int sg = SubGraph.endSubGraph(fb);
    int code =
        OperatorCode.createOperatorCode(fb, (byte) Math.min(builtin, 127), 0, version, builtin);
    int codes = Model.createOperatorCodesVector(fb, new int[] {code});
    int sgs = Model.createSubgraphsVector(fb, new int[] {sg}),
        bv = Model.createBuffersVector(fb, bufs);
    Model.startModel(fb);
    Model.addVersion(fb, 3);
    Model.addOperatorCodes(fb, codes);
    Model.addSubgraphs(fb, sgs);
    Model.addBuffers(fb, bv);
    Model.finishModelBuffer(fb, Model.endModel(fb));
    return fb.sizedByteArray();
  }

  private static int tensor(FlatBufferBuilder fb, T t, int buffer, String name) {
    int shape = Tensor.createShapeVector(fb, t.shape());
    int nm = fb.createString(name);
    int q = 0;
    if (t.scale() > 0) {
      int s = QuantizationParameters.createScaleVector(fb, new float[] {t.scale()});
      int z = QuantizationParameters.createZeroPointVector(fb, new long[] {t.zp()});
      QuantizationParameters.startQuantizationParameters(fb);
      QuantizationParameters.addScale(fb, s);
      QuantizationParameters.addZeroPoint(fb, z);
      q = QuantizationParameters.endQuantizationParameters(fb);
    }
    Tensor.startTensor(fb);
    Tensor.addShape(fb, shape);
    Tensor.addType(fb, (byte) t.type());
    Tensor.addName(fb, nm);
    Tensor.addBuffer(fb, buffer);
    if (q != 0) Tensor.addQuantization(fb, q);
    return Tensor.endTensor(fb);
  }
}
