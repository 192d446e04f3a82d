package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.List;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.tflite.fb.AddOptions;
import org.qat4j.tflite.fb.BatchMatMulOptions;
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
import org.qat4j.tflite.fb.SubOptions;

/**
 * What the .tflite side knows about each {@link OpKind}, one switch without {@code default} per
 * concern: the options table written and read back, the operator version and the runtime each
 * version needs, the int8 spec rule, and what the reader checks. A new kind does not compile until
 * every switch here answers it. The mechanics stay in TfliteWriter, LoweredImport, OpVersions,
 * Int8Spec and OperatorChecks.
 */
final class TfliteOps {
  private TfliteOps() {}

  /** The int8 spec's constraint families (quantization.md §5). */
  enum Int8Rule {
    WEIGHTED,
    /** TRANSPOSE_CONV: weights input 1 (per-axis on dim 0), data input 2, bias input 3. */
    TRANSPOSED,
    FIXED_OUTPUT,
    FIXED_OUTPUT_128,
    SHARED_INPUTS,
    PASS_THROUGH,
    FREE
  }

  /**
   * What the reader requires of an operator: its options table, whether it must be present, minimum
   * inputs.
   */
  record Expect(String options, boolean required, int minInputs) {}

  /** The builtin options of {@code op}: {union type, table offset}, {0, 0} for none. */
  static int[] encode(FlatBufferBuilder b, OpSpec op) {
    byte act = (byte) op.options().activation().code();
    return switch (op.kind()) {
      case CONV_2D -> {
        OpOptions.Conv o = op.options(OpOptions.Conv.class);
        yield new int[] {
          BuiltinOptions.Conv2DOptions,
          Conv2DOptions.createConv2DOptions(
              b, padding(o, op), o.strideW(), o.strideH(), act, o.dilationW(), o.dilationH())
        };
      }
      case DEPTHWISE_CONV_2D -> {
        OpOptions.Depthwise o = op.options(OpOptions.Depthwise.class);
        yield new int[] {
          BuiltinOptions.DepthwiseConv2DOptions,
          DepthwiseConv2DOptions.createDepthwiseConv2DOptions(
              b,
              padding(o, op),
              o.strideW(),
              o.strideH(),
              o.depthMultiplier(),
              act,
              o.dilationW(),
              o.dilationH())
        };
      }
      case AVERAGE_POOL_2D, MAX_POOL_2D -> {
        OpOptions.Pool o = op.options(OpOptions.Pool.class);
        yield new int[] {
          BuiltinOptions.Pool2DOptions,
          Pool2DOptions.createPool2DOptions(
              b, padding(o, op), o.strideW(), o.strideH(), o.filterW(), o.filterH(), act)
        };
      }
      case FULLY_CONNECTED ->
          new int[] {
            BuiltinOptions.FullyConnectedOptions,
            FullyConnectedOptions.createFullyConnectedOptions(
                b, act, (byte) 0, op.options(OpOptions.FullyConnected.class).keepNumDims(), false)
          };
      case ADD -> new int[] {BuiltinOptions.AddOptions, AddOptions.createAddOptions(b, act, true)};
      case MUL -> new int[] {BuiltinOptions.MulOptions, MulOptions.createMulOptions(b, act)};
      case CONCATENATION ->
          new int[] {
            BuiltinOptions.ConcatenationOptions,
            ConcatenationOptions.createConcatenationOptions(
                b, op.options(OpOptions.Concat.class).axis(), act)
          };
      case SOFTMAX ->
          new int[] {
            BuiltinOptions.SoftmaxOptions,
            SoftmaxOptions.createSoftmaxOptions(b, op.options(OpOptions.Softmax.class).beta())
          };
      case MEAN, SUM, REDUCE_MAX ->
          new int[] {
            BuiltinOptions.ReducerOptions,
            ReducerOptions.createReducerOptions(b, op.options(OpOptions.Reducer.class).keepDims())
          };
      case RESHAPE -> {
        int[] shape = op.options(OpOptions.Reshape.class).newShape();
        yield shape == null
            ? new int[] {0, 0}
            : new int[] {
              BuiltinOptions.ReshapeOptions,
              ReshapeOptions.createReshapeOptions(b, ReshapeOptions.createNewShapeVector(b, shape))
            };
      }
      // TFLite reads these without options (their tables, where the schema has one, are empty)
      case DEQUANTIZE, LOGISTIC, RELU, RELU6, PAD, QUANTIZE, HARD_SWISH -> new int[] {0, 0};
      case SUB -> new int[] {BuiltinOptions.SubOptions, SubOptions.createSubOptions(b, act, true)};
      // TFLite's CAST reads the tensor types, not CastOptions
      case CAST -> new int[] {0, 0};
      case MAXIMUM, MINIMUM, TANH, PRELU, PADV2, SQUARED_DIFFERENCE, ELU -> new int[] {0, 0};
      case ARG_MAX, ARG_MIN, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU ->
          ForeignOptions.encode(b, op);
      case TRANSPOSE, SLICE, TILE -> new int[] {0, 0};
      case STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER -> ShapeOptions.encode(b, op);
      case BATCH_MATMUL -> {
        OpOptions.BatchMatMul o = op.options(OpOptions.BatchMatMul.class);
        yield new int[] {
          BuiltinOptions.BatchMatMulOptions,
          BatchMatMulOptions.createBatchMatMulOptions(b, o.adjX(), o.adjY(), false)
        };
      }
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> RecurrentOptions.encode(b, op);
      case L2_NORMALIZATION, GELU -> ForeignOptions.encode(b, op);
      case TRANSPOSE_CONV -> ForeignOptions.encode(b, op);
    };
  }

  static byte padding(OpOptions.Window o, OpSpec op) {
    if ("SAME".equals(o.padding())) return 0;
    if ("VALID".equals(o.padding())) return 1;
    throw new ModelFormatException(
        op.kind().toString(), "padding must be SAME or VALID, got " + o.padding());
  }

  /**
   * The options record of {@code k} from decoded schema fields {@code o} (names as in the schema).
   */
  static OpOptions options(OpKind k, Map<String, Object> o, FusedActivation act) {
    return switch (k) {
      case CONV_2D ->
          new OpOptions.Conv(
              padding(o),
              integer(o, "stride_h"),
              integer(o, "stride_w"),
              integer(o, "dilation_h_factor"),
              integer(o, "dilation_w_factor"),
              act);
      case DEPTHWISE_CONV_2D ->
          new OpOptions.Depthwise(
              padding(o),
              integer(o, "stride_h"),
              integer(o, "stride_w"),
              integer(o, "dilation_h_factor"),
              integer(o, "dilation_w_factor"),
              integer(o, "depth_multiplier"),
              act);
      case AVERAGE_POOL_2D, MAX_POOL_2D ->
          new OpOptions.Pool(
              padding(o),
              integer(o, "stride_h"),
              integer(o, "stride_w"),
              integer(o, "filter_height"),
              integer(o, "filter_width"),
              act);
      case FULLY_CONNECTED ->
          new OpOptions.FullyConnected(act, Boolean.TRUE.equals(o.get("keep_num_dims")));
      case ADD, MUL, SUB -> new OpOptions.Activated(act);
      case CONCATENATION -> new OpOptions.Concat(o.get("axis") instanceof Integer a ? a : 0, act);
      case SOFTMAX -> new OpOptions.Softmax(o.get("beta") instanceof Float b ? b : 1f);
      case MEAN, SUM, REDUCE_MAX -> new OpOptions.Reducer(Boolean.TRUE.equals(o.get("keep_dims")));
      case RESHAPE ->
          new OpOptions.Reshape(o.get("new_shape") instanceof List<?> l ? ints(l) : null);
      case DEQUANTIZE, LOGISTIC, RELU, RELU6, PAD, QUANTIZE, HARD_SWISH -> OpOptions.None.DEFAULT;
      case CAST -> OpOptions.None.DEFAULT;
      case MAXIMUM, MINIMUM, TANH, PRELU, PADV2, SQUARED_DIFFERENCE, ELU -> OpOptions.None.DEFAULT;
      case ARG_MAX, ARG_MIN, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU, GELU ->
          ForeignOptions.decode(k, o);
      case TRANSPOSE, SLICE, TILE -> OpOptions.None.DEFAULT;
      case STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER -> ShapeOptions.decode(k, o);
      case BATCH_MATMUL ->
          new OpOptions.BatchMatMul(
              Boolean.TRUE.equals(o.get("adj_x")), Boolean.TRUE.equals(o.get("adj_y")));
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> RecurrentOptions.decode(o);
      case L2_NORMALIZATION -> new OpOptions.Activated(act);
      case TRANSPOSE_CONV ->
          new OpOptions.TransposeConv(
              padding(o), integer(o, "stride_h"), integer(o, "stride_w"), act);
    };
  }

  private static String padding(Map<String, Object> o) {
    Object p = o.getOrDefault("padding", "VALID");
    if (!p.equals("SAME") && !p.equals("VALID")) throw new IllegalArgumentException("padding " + p);
    return (String) p;
  }

  /** A window field; 1 (TFLite's default) when the options table lacks it. */
  private static int integer(Map<String, Object> o, String key) {
    return o.get(key) instanceof Integer i ? i : 1;
  }

  private static int[] ints(List<?> l) {
    int[] r = new int[l.size()];
    for (int i = 0; i < r.length; i++) r[i] = (Integer) l.get(i);
    return r;
  }

  /**
   * The minimal operator version (tflite-format.md §1, TFLite's op_version.cc); {@code int8} when
   * the first input is INT8. MUL and QUANTIZE also look at their tensors' parameters.
   */
  static int version(LoweredGraph g, OpSpec op, boolean int8) {
    return switch (op.kind()) {
      case CONV_2D -> int8 ? 3 : 1;
      case DEPTHWISE_CONV_2D ->
          int8 ? 3 : OpVersions.dilated(op.options(OpOptions.Depthwise.class)) ? 2 : 1;
      case FULLY_CONNECTED ->
          op.inputs().length == 2
              ? 6
              : op.options(OpOptions.FullyConnected.class).keepNumDims() ? 5 : int8 ? 4 : 1;
      case ADD,
          AVERAGE_POOL_2D,
          MAX_POOL_2D,
          CONCATENATION,
          SOFTMAX,
          MEAN,
          RELU6,
          PAD,
          LOGISTIC,
          RELU ->
          int8 ? 2 : 1;
      case MUL -> !int8 ? 1 : OpVersions.mulScaleRatio(g, op) >= 1 ? 3 : 2;
      case QUANTIZE -> OpVersions.perAxisOutput(g, op) ? 3 : 1;
      case DEQUANTIZE -> int8 ? 2 : 1;
      case RESHAPE, HARD_SWISH -> 1;
      case SUB -> OpVersions.broadcastsAbove4d(g, op) ? 3 : int8 ? 2 : 1;
      case CAST -> OpVersions.touchesType(g, op, DType.INT8) ? 3 : 1;
      case ARG_MAX, ARG_MIN -> int8 ? 2 : 1;
      case RESIZE_BILINEAR ->
          op.options(OpOptions.Resize.class).halfPixelCenters() ? 3 : int8 ? 2 : 1;
      case RESIZE_NEAREST_NEIGHBOR -> {
        OpOptions.Resize o = op.options(OpOptions.Resize.class);
        yield o.halfPixelCenters() || o.alignCorners() ? 3 : int8 ? 2 : 1;
      }
      case MAXIMUM, MINIMUM -> OpVersions.broadcastsAbove4d(g, op) ? 3 : int8 ? 2 : 1;
      case TANH, SQUARED_DIFFERENCE, GELU -> int8 ? 2 : 1;
      case LEAKY_RELU, PRELU, ELU -> 1;
      case PADV2 -> OpVersions.rankAbove4(g, op) ? 4 : int8 ? 2 : 1;
      case TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, TILE, GATHER ->
          ShapeOptions.version(g, op, int8);
      case SUM, REDUCE_MAX, BATCH_MATMUL -> int8 ? 2 : 1;
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> RecurrentOptions.version(g, op);
      case L2_NORMALIZATION -> int8 ? 2 : 1;
      case TRANSPOSE_CONV -> OpVersions.transposeConv(g, op);
    };
  }

  /**
   * Minimum runtime per operator version. int8 rows come from the spec; the version-1 rows (float
   * and uint8 kernels) are TFLite's runtime_version.cc values, consistent with the shared
   * MobileNet, whose version-1 CONV/DEPTHWISE/AVERAGE_POOL/RESHAPE/SOFTMAX model records "1.5.0".
   */
  static Map<Integer, String> runtimes(OpKind k) {
    return switch (k) {
      case ADD, AVERAGE_POOL_2D, CONCATENATION, LOGISTIC, MAX_POOL_2D, RELU6, SOFTMAX, PAD ->
          Map.of(1, "1.5.0", 2, "1.14.0");
      case CONV_2D -> Map.of(1, "1.5.0", 3, "1.14.0");
      case DEPTHWISE_CONV_2D -> Map.of(1, "1.5.0", 2, "1.12.0", 3, "1.14.0");
      case DEQUANTIZE -> Map.of(1, "1.13.1", 2, "1.14.0");
      case FULLY_CONNECTED -> Map.of(1, "1.5.0", 4, "1.14.0", 5, "2.0.0", 6, "2.1.0");
      case MUL -> Map.of(1, "1.5.0", 2, "1.14.0", 3, "1.15.0");
      case RELU -> Map.of(1, "1.5.0", 2, "2.1.0");
      case RESHAPE -> Map.of(1, "1.5.0");
      case MEAN -> Map.of(1, "1.6.0", 2, "1.14.0");
      case QUANTIZE -> Map.of(1, "1.14.0", 3, "2.3.0");
      case HARD_SWISH -> Map.of(1, "1.15.0");
      case SUB -> Map.of(1, "1.6.0", 2, "1.14.0", 3, "2.3.0");
      case CAST -> Map.of(1, "1.5.0", 3, "2.8.0");
      case ARG_MAX, ARG_MIN -> Map.of(1, "1.9.0", 2, "1.14.0");
      case RESIZE_BILINEAR -> Map.of(1, "1.7.0", 2, "1.14.0", 3, "2.2.0");
      case RESIZE_NEAREST_NEIGHBOR -> Map.of(1, "1.13.1", 2, "1.14.0", 3, "2.3.0");
      case MAXIMUM, MINIMUM -> Map.of(1, "1.14.0", 2, "1.14.0", 3, "2.3.0");
      case TANH -> Map.of(1, "1.14.0", 2, "1.14.0");
      case LEAKY_RELU -> Map.of(1, "1.13.1");
      case PRELU -> Map.of(1, "1.8.0");
      case PADV2 -> Map.of(1, "1.9.0", 2, "1.14.0", 4, "2.6.0");
      case TRANSPOSE -> Map.of(1, "1.6.0", 2, "1.14.0", 4, "2.3.0", 6, "2.12.0");
      case SLICE -> Map.of(1, "1.14.0", 2, "1.14.0", 5, "2.5.0");
      case STRIDED_SLICE -> Map.of(1, "1.6.0", 2, "1.14.0", 4, "2.2.0", 6, "2.6.0", 8, "2.14.0");
      case SPLIT -> Map.of(1, "1.5.0", 2, "1.14.0", 3, "1.14.0");
      case SPLIT_V -> Map.of(1, "1.13.1", 2, "2.3.0");
      case PACK, UNPACK -> Map.of(1, "1.11.0", 2, "1.14.0");
      case TILE -> Map.of(1, "1.10.1", 3, "2.8.0");
      case GATHER -> Map.of(1, "1.6.0", 2, "1.14.0", 5, "2.5.0");
      case SUM -> Map.of(1, "1.10.0", 2, "1.15.0");
      case REDUCE_MAX -> Map.of(1, "1.11.0", 2, "1.14.0");
      case SQUARED_DIFFERENCE -> Map.of(1, "1.13.1", 2, "2.5.0");
      case BATCH_MATMUL -> Map.of(1, "2.3.0", 2, "2.3.0");
      case UNIDIRECTIONAL_SEQUENCE_LSTM ->
          Map.of(1, "1.13.1", 2, "1.14.0", 3, "2.3.0", 4, "2.12.0");
      case L2_NORMALIZATION -> Map.of(1, "1.5.0", 2, "1.14.0");
      case ELU -> Map.of(1, "1.14.0");
      case TRANSPOSE_CONV -> Map.of(1, "1.9.0", 2, "2.2.0", 3, "2.3.0", 4, "2.13.0");
      case GELU -> Map.of(1, "2.9.0", 2, "2.9.0");
    };
  }

  /** The int8 spec rule of {@code k} (checked by Int8Spec on INT8 graphs). */
  static Int8Rule int8Rule(OpKind k) {
    return switch (k) {
      case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED -> Int8Rule.WEIGHTED;
      case SOFTMAX, LOGISTIC -> Int8Rule.FIXED_OUTPUT;
      case CONCATENATION -> Int8Rule.SHARED_INPUTS;
      case AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE, PAD -> Int8Rule.PASS_THROUGH;
      // output parameters of their own (ADD/MUL/MEAN rescale, QUANTIZE requantizes)
      case ADD, MUL, RELU, RELU6, HARD_SWISH, MEAN, QUANTIZE, DEQUANTIZE, SUB -> Int8Rule.FREE;
      // converts raw values, quantization ignored
      case CAST -> Int8Rule.FREE;
      case ARG_MAX, ARG_MIN -> Int8Rule.FREE;
      case RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, PADV2 -> Int8Rule.PASS_THROUGH;
      case MAXIMUM, MINIMUM -> Int8Rule.SHARED_INPUTS;
      // TFLite does not enforce the spec's TANH output (1/128, 0); its table takes any
      case TANH, LEAKY_RELU, PRELU, SQUARED_DIFFERENCE, ELU, GELU -> Int8Rule.FREE;
      // data movement copies raw values; TFLite's REDUCE_MAX refuses other output parameters
      case TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, UNPACK, TILE, GATHER, REDUCE_MAX ->
          Int8Rule.PASS_THROUGH;
      case PACK -> Int8Rule.SHARED_INPUTS;
      case SUM, BATCH_MATMUL -> Int8Rule.FREE;
      // its own scales everywhere (int16 cell state, hidden-state intermediate)
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> Int8Rule.FREE;
      case L2_NORMALIZATION -> Int8Rule.FIXED_OUTPUT_128;
      case TRANSPOSE_CONV -> Int8Rule.TRANSPOSED;
    };
  }

  /**
   * What the reader checks on {@code k} before TFLite sees it, or null for nothing beyond TFLite's
   * own checks.
   */
  static Expect expect(OpKind k) {
    return switch (k) {
      case CONV_2D -> new Expect("Conv2DOptions", true, 2);
      case DEPTHWISE_CONV_2D -> new Expect("DepthwiseConv2DOptions", true, 2);
      case AVERAGE_POOL_2D, MAX_POOL_2D -> new Expect("Pool2DOptions", true, 1);
      case FULLY_CONNECTED -> new Expect("FullyConnectedOptions", false, 2);
      case SOFTMAX -> new Expect("SoftmaxOptions", false, 1);
      case CONCATENATION -> new Expect("ConcatenationOptions", false, 1);
      case ADD -> new Expect("AddOptions", false, 2);
      case MUL -> new Expect("MulOptions", false, 2);
      case RESHAPE -> new Expect("ReshapeOptions", false, 1);
      case MEAN -> new Expect("ReducerOptions", false, 2);
      case PAD -> new Expect("PadOptions", false, 2);
      case DEQUANTIZE, LOGISTIC, RELU, RELU6, QUANTIZE, HARD_SWISH -> null;
      case SUB -> new Expect("SubOptions", false, 2);
      case CAST -> null;
      case ARG_MAX -> new Expect("ArgMaxOptions", true, 2);
      case ARG_MIN -> new Expect("ArgMinOptions", true, 2);
      case RESIZE_BILINEAR -> new Expect("ResizeBilinearOptions", false, 2);
      case RESIZE_NEAREST_NEIGHBOR -> new Expect("ResizeNearestNeighborOptions", false, 2);
      case MAXIMUM, MINIMUM -> new Expect("MaximumMinimumOptions", false, 2);
      case LEAKY_RELU -> new Expect("LeakyReluOptions", false, 1);
      case PADV2 -> new Expect("PadV2Options", false, 3);
      case SQUARED_DIFFERENCE -> new Expect("SquaredDifferenceOptions", false, 2);
      case TANH, PRELU, ELU -> null;
      case TRANSPOSE -> new Expect("TransposeOptions", false, 2);
      case SLICE -> new Expect("SliceOptions", false, 3);
      case STRIDED_SLICE -> new Expect("StridedSliceOptions", false, 4);
      case SPLIT -> new Expect("SplitOptions", false, 2);
      case SPLIT_V -> new Expect("SplitVOptions", false, 3);
      case PACK -> new Expect("PackOptions", false, 1);
      case UNPACK -> new Expect("UnpackOptions", false, 1);
      case TILE -> new Expect("TileOptions", false, 2);
      case GATHER -> new Expect("GatherOptions", false, 2);
      case SUM, REDUCE_MAX -> new Expect("ReducerOptions", false, 2);
      case BATCH_MATMUL -> new Expect("BatchMatMulOptions", false, 2);
      case UNIDIRECTIONAL_SEQUENCE_LSTM ->
          new Expect("UnidirectionalSequenceLSTMOptions", false, 20);
      case L2_NORMALIZATION -> new Expect("L2NormOptions", false, 1);
      case TRANSPOSE_CONV -> new Expect("TransposeConvOptions", true, 3);
      case GELU -> new Expect("GeluOptions", false, 1);
    };
  }
}
