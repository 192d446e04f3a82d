package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import org.qat4j.ir.OpOptions;
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

/**
 * Builds the builtin options table of an operator; returns {union type, table offset} ({0, 0} for
 * none). The switch has no default: a new {@link OpKind} does not compile until it is answered here.
 */
final class OptionsEncoder {
  private OptionsEncoder() {}

  static int[] encode(FlatBufferBuilder b, OpSpec op) {
    byte act = (byte) op.options().activation().code();
    return switch (op.kind()) {
      case CONV_2D -> {
        OpOptions.Conv o = op.options(OpOptions.Conv.class);
        yield new int[] {BuiltinOptions.Conv2DOptions, Conv2DOptions.createConv2DOptions(b, padding(o, op),
            o.strideW(), o.strideH(), act, o.dilationW(), o.dilationH())};
      }
      case DEPTHWISE_CONV_2D -> {
        OpOptions.Depthwise o = op.options(OpOptions.Depthwise.class);
        yield new int[] {BuiltinOptions.DepthwiseConv2DOptions,
            DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, padding(o, op), o.strideW(), o.strideH(),
                o.depthMultiplier(), act, o.dilationW(), o.dilationH())};
      }
      case AVERAGE_POOL_2D, MAX_POOL_2D -> {
        OpOptions.Pool o = op.options(OpOptions.Pool.class);
        yield new int[] {BuiltinOptions.Pool2DOptions, Pool2DOptions.createPool2DOptions(b,
            padding(o, op), o.strideW(), o.strideH(), o.filterW(), o.filterH(), act)};
      }
      case FULLY_CONNECTED -> new int[] {BuiltinOptions.FullyConnectedOptions,
          FullyConnectedOptions.createFullyConnectedOptions(b, act, (byte) 0, false, false)};
      case ADD -> new int[] {BuiltinOptions.AddOptions, AddOptions.createAddOptions(b, act, true)};
      case MUL -> new int[] {BuiltinOptions.MulOptions, MulOptions.createMulOptions(b, act)};
      case CONCATENATION -> new int[] {BuiltinOptions.ConcatenationOptions,
          ConcatenationOptions.createConcatenationOptions(b, op.options(OpOptions.Concat.class).axis(), act)};
      case SOFTMAX -> new int[] {BuiltinOptions.SoftmaxOptions,
          SoftmaxOptions.createSoftmaxOptions(b, op.options(OpOptions.Softmax.class).beta())};
      case MEAN -> new int[] {BuiltinOptions.ReducerOptions,
          ReducerOptions.createReducerOptions(b, op.options(OpOptions.Reducer.class).keepDims())};
      case RESHAPE -> {
        int[] shape = op.options(OpOptions.Reshape.class).newShape();
        yield shape == null ? new int[] {0, 0} : new int[] {BuiltinOptions.ReshapeOptions,
            ReshapeOptions.createReshapeOptions(b, ReshapeOptions.createNewShapeVector(b, shape))};
      }
      // TFLite reads these without options (their tables, where the schema has one, are empty)
      case DEQUANTIZE, LOGISTIC, RELU, RELU6, PAD, QUANTIZE, HARD_SWISH -> new int[] {0, 0};
    };
  }

  private static byte padding(OpOptions.Window o, OpSpec op) {
    if ("SAME".equals(o.padding())) return 0;
    if ("VALID".equals(o.padding())) return 1;
    throw new ModelFormatException(op.kind().toString(), "padding must be SAME or VALID, got " + o.padding());
  }
}
