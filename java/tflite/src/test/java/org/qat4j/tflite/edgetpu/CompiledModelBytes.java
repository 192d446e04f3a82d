package org.qat4j.tflite.edgetpu;

import com.google.flatbuffers.FlatBufferBuilder;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.QuantizationParameters;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * A compiled-model look-alike the writer cannot express: float x → QUANTIZE (CPU) → two {@code
 * edgetpu-custom-op} segments with opaque payloads of the given sizes → DEQUANTIZE (CPU) → float y.
 * The payloads are filler bytes, not Edge TPU code.
 */
final class CompiledModelBytes {
  private CompiledModelBytes() {}

  static byte[] build(int payload1, int payload2) {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int empty = Buffer.createBuffer(b, 0, 0, 0);
    int[] tensors = {
      tensor(b, "x", (byte) 0, false),
      tensor(b, "a", (byte) 3, true),
      tensor(b, "b", (byte) 3, true),
      tensor(b, "c", (byte) 3, true),
      tensor(b, "y", (byte) 0, false)
    };
    int[] ops = {
      op(b, 0, 0, 1, 0), op(b, 1, 1, 2, payload1), op(b, 1, 2, 3, payload2), op(b, 2, 3, 4, 0)
    };
    int sg =
        SubGraph.createSubGraph(
            b,
            SubGraph.createTensorsVector(b, tensors),
            SubGraph.createInputsVector(b, new int[] {0}),
            SubGraph.createOutputsVector(b, new int[] {4}),
            SubGraph.createOperatorsVector(b, ops),
            b.createString("main"));
    int quantize = OperatorCode.createOperatorCode(b, (byte) 114, 0, 1, 114);
    int custom =
        OperatorCode.createOperatorCode(
            b, (byte) 32, b.createString(EdgeTpuPreflight.CUSTOM_OP), 1, 32);
    int dequantize = OperatorCode.createOperatorCode(b, (byte) 6, 0, 1, 6);
    int codes = Model.createOperatorCodesVector(b, new int[] {quantize, custom, dequantize});
    int model =
        Model.createModel(
            b,
            3,
            codes,
            Model.createSubgraphsVector(b, new int[] {sg}),
            b.createString("compiled look-alike"),
            Model.createBuffersVector(b, new int[] {empty}),
            0,
            0);
    Model.finishModelBuffer(b, model);
    return b.sizedByteArray();
  }

  private static int op(FlatBufferBuilder b, int code, int in, int out, int payload) {
    int custom = payload > 0 ? Operator.createCustomOptionsVector(b, new byte[payload]) : 0;
    return Operator.createOperator(
        b,
        code,
        Operator.createInputsVector(b, new int[] {in}),
        Operator.createOutputsVector(b, new int[] {out}),
        (byte) 0,
        0,
        custom,
        (byte) 0,
        0,
        0);
  }

  private static int tensor(FlatBufferBuilder b, String name, byte type, boolean quantized) {
    int q = 0;
    if (quantized) {
      int scale = QuantizationParameters.createScaleVector(b, new float[] {0.05f});
      int zp = QuantizationParameters.createZeroPointVector(b, new long[] {128});
      q = QuantizationParameters.createQuantizationParameters(b, 0, 0, scale, zp, (byte) 0, 0, 0);
    }
    return Tensor.createTensor(
        b,
        Tensor.createShapeVector(b, new int[] {1, 16}),
        type,
        0,
        b.createString(name),
        q,
        false,
        0,
        0,
        false);
  }
}
