package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import org.qat4j.ir.OpSpec;
import org.qat4j.tflite.fb.AddOptions;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.ConcatenationOptions;
import org.qat4j.tflite.fb.Conv2DOptions;
import org.qat4j.tflite.fb.DepthwiseConv2DOptions;
import org.qat4j.tflite.fb.FullyConnectedOptions;
import org.qat4j.tflite.fb.MulOptions;
import org.qat4j.tflite.fb.Pool2DOptions;
import org.qat4j.tflite.fb.ReducerOptions;
import org.qat4j.tflite.fb.ReshapeOptions;
import org.qat4j.tflite.fb.SoftmaxOptions;

/** Builds the builtin options table of an operator; returns {union type, table offset} ({0, 0} for none). */
final class OptionsEncoder {
  private OptionsEncoder() {}

  static int[] encode(FlatBufferBuilder b, OpSpec op) {
    OpSpec.Options o = op.options();
    byte act = (byte) o.activation().code();
    return switch (op.kind()) {
      case CONV_2D -> new int[] {BuiltinOptions.Conv2DOptions, Conv2DOptions.createConv2DOptions(b, padding(o, op),
          o.strideW(), o.strideH(), act, o.dilationW(), o.dilationH())};
      case DEPTHWISE_CONV_2D -> new int[] {BuiltinOptions.DepthwiseConv2DOptions,
          DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, padding(o, op), o.strideW(), o.strideH(),
              o.depthMultiplier(), act, o.dilationW(), o.dilationH())};
      case AVERAGE_POOL_2D, MAX_POOL_2D -> new int[] {BuiltinOptions.Pool2DOptions, Pool2DOptions.createPool2DOptions(b,
          padding(o, op), o.strideW(), o.strideH(), o.filterW(), o.filterH(), act)};
      case FULLY_CONNECTED -> new int[] {BuiltinOptions.FullyConnectedOptions,
          FullyConnectedOptions.createFullyConnectedOptions(b, act, (byte) 0, false, false)};
      case ADD -> new int[] {BuiltinOptions.AddOptions, AddOptions.createAddOptions(b, act, true)};
      case MUL -> new int[] {BuiltinOptions.MulOptions, MulOptions.createMulOptions(b, act)};
      case CONCATENATION -> new int[] {BuiltinOptions.ConcatenationOptions,
          ConcatenationOptions.createConcatenationOptions(b, o.axis(), act)};
      case SOFTMAX -> new int[] {BuiltinOptions.SoftmaxOptions, SoftmaxOptions.createSoftmaxOptions(b, o.beta())};
      case MEAN -> new int[] {BuiltinOptions.ReducerOptions, ReducerOptions.createReducerOptions(b, o.keepDims())};
      case RESHAPE -> o.newShape() == null ? new int[] {0, 0} : new int[] {BuiltinOptions.ReshapeOptions,
          ReshapeOptions.createReshapeOptions(b, ReshapeOptions.createNewShapeVector(b, o.newShape()))};
      default -> new int[] {0, 0};
    };
  }

  private static byte padding(OpSpec.Options o, OpSpec op) {
    if ("SAME".equals(o.padding())) return 0;
    if ("VALID".equals(o.padding())) return 1;
    throw new ModelFormatException(op.kind().toString(), "padding must be SAME or VALID, got " + o.padding());
  }
}
