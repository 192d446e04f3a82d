package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import org.qat4j.tflite.fb.Buffer;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.Conv2DOptions;
import org.qat4j.tflite.fb.Metadata;
import org.qat4j.tflite.fb.Model;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.OperatorCode;
import org.qat4j.tflite.fb.Pool2DOptions;
import org.qat4j.tflite.fb.SubGraph;
import org.qat4j.tflite.fb.Tensor;

/**
 * Builds models the writer cannot express (structural defects) straight from the generated classes:
 * a 1×4×4×1 float input, a 1×1×1×1 constant filter, one operator, a 1×4×4×1 output. Fields are the
 * knobs tests turn.
 */
public final class RawModel {
  long version = 3;
  boolean subgraphs = true;
  boolean emptySubgraphVector = false;
  boolean buffers = true;
  long opcodeIndex = 0;
  long filterBuffer = 1;
  int builtin = 3;
  byte deprecated = 3;
  String customCode = null;

  /** 0 none, 1 Conv2DOptions(stride strideH), 5 Pool2DOptions. */
  int options = 1;

  int strideH = 1;

  /** Conv2DOptions padding: 0 SAME, 1 VALID, other values are undefined. */
  public byte padding = 1;

  long metadataBuffer = -1;

  /** TensorType of the output tensor "y" (0 FLOAT32; 13 RESOURCE is not numeric). */
  byte outputType = 0;

  /** The CONV_2D's inputs (x, w, no bias). */
  int[] opInputs = {0, 1, -1};

  public byte[] build() {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int empty = Buffer.createBuffer(b, 0, 0, 0);
    int filter =
        Buffer.createBuffer(b, b.createByteVector(new byte[] {0, 0, (byte) 0x80, 0x3f}), 0, 0);
    int[] tensors = {
      tensor(b, "x", new int[] {1, 4, 4, 1}, 0),
      tensor(b, "w", new int[] {1, 1, 1, 1}, filterBuffer),
      tensor(b, "y", new int[] {1, 4, 4, 1}, 0, outputType)
    };
    int opt =
        switch (options) {
          case 1 -> Conv2DOptions.createConv2DOptions(b, padding, 1, strideH, (byte) 0, 1, 1);
          case 5 -> Pool2DOptions.createPool2DOptions(b, (byte) 1, 1, 1, 1, 1, (byte) 0);
          default -> 0;
        };
    int op =
        Operator.createOperator(
            b,
            opcodeIndex,
            Operator.createInputsVector(b, opInputs),
            Operator.createOutputsVector(b, new int[] {2}),
            (byte)
                (options == 1
                    ? BuiltinOptions.Conv2DOptions
                    : options == 5 ? BuiltinOptions.Pool2DOptions : 0),
            opt,
            0,
            (byte) 0,
            0,
            0);
    int sg =
        SubGraph.createSubGraph(
            b,
            SubGraph.createTensorsVector(b, tensors),
            SubGraph.createInputsVector(b, new int[] {0}),
            SubGraph.createOutputsVector(b, new int[] {2}),
            SubGraph.createOperatorsVector(b, new int[] {op}),
            b.createString("main"));
    int code =
        OperatorCode.createOperatorCode(
            b, deprecated, customCode == null ? 0 : b.createString(customCode), 1, builtin);
    int meta =
        metadataBuffer < 0
            ? 0
            : Model.createMetadataVector(
                b, new int[] {Metadata.createMetadata(b, b.createString("m"), metadataBuffer)});
    int codes = Model.createOperatorCodesVector(b, new int[] {code});
    int subs =
        subgraphs
            ? Model.createSubgraphsVector(b, emptySubgraphVector ? new int[0] : new int[] {sg})
            : 0;
    int bufs = buffers ? Model.createBuffersVector(b, new int[] {empty, filter}) : 0;
    int model = Model.createModel(b, version, codes, subs, b.createString("raw"), bufs, 0, meta);
    Model.finishModelBuffer(b, model);
    return b.sizedByteArray();
  }

  private static int tensor(FlatBufferBuilder b, String name, int[] shape, long buffer) {
    return tensor(b, name, shape, buffer, (byte) 0);
  }

  private static int tensor(FlatBufferBuilder b, String name, int[] shape, long buffer, byte type) {
    return Tensor.createTensor(
        b,
        Tensor.createShapeVector(b, shape),
        type,
        buffer,
        b.createString(name),
        0,
        false,
        0,
        0,
        false);
  }
}
