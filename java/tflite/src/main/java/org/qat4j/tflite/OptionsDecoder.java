package org.qat4j.tflite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.tflite.fb.ActivationFunctionType;
import org.qat4j.tflite.fb.AddOptions;
import org.qat4j.tflite.fb.ArgMaxOptions;
import org.qat4j.tflite.fb.ArgMinOptions;
import org.qat4j.tflite.fb.BatchMatMulOptions;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.ConcatenationOptions;
import org.qat4j.tflite.fb.Conv2DOptions;
import org.qat4j.tflite.fb.DepthwiseConv2DOptions;
import org.qat4j.tflite.fb.FullyConnectedOptions;
import org.qat4j.tflite.fb.GatherOptions;
import org.qat4j.tflite.fb.GeluOptions;
import org.qat4j.tflite.fb.LeakyReluOptions;
import org.qat4j.tflite.fb.MulOptions;
import org.qat4j.tflite.fb.Operator;
import org.qat4j.tflite.fb.PackOptions;
import org.qat4j.tflite.fb.Pool2DOptions;
import org.qat4j.tflite.fb.ReducerOptions;
import org.qat4j.tflite.fb.ReshapeOptions;
import org.qat4j.tflite.fb.ResizeBilinearOptions;
import org.qat4j.tflite.fb.ResizeNearestNeighborOptions;
import org.qat4j.tflite.fb.SoftmaxOptions;
import org.qat4j.tflite.fb.SplitOptions;
import org.qat4j.tflite.fb.SplitVOptions;
import org.qat4j.tflite.fb.SqueezeOptions;
import org.qat4j.tflite.fb.StridedSliceOptions;
import org.qat4j.tflite.fb.SubOptions;
import org.qat4j.tflite.fb.TransposeConvOptions;
import org.qat4j.tflite.fb.UnidirectionalSequenceLSTMOptions;
import org.qat4j.tflite.fb.UnpackOptions;

/**
 * Turns a verified operator's builtin options union into an ordered name → value map (schema field
 * names).
 */
final class OptionsDecoder {
  private OptionsDecoder() {}

  private static final Map<Integer, String> TYPE_NAMES =
      Map.ofEntries(
          Map.entry(1, "Conv2DOptions"),
          Map.entry(2, "DepthwiseConv2DOptions"),
          Map.entry(5, "Pool2DOptions"),
          Map.entry(8, "FullyConnectedOptions"),
          Map.entry(9, "SoftmaxOptions"),
          Map.entry(10, "ConcatenationOptions"),
          Map.entry(11, "AddOptions"),
          Map.entry(17, "ReshapeOptions"),
          Map.entry(21, "MulOptions"),
          Map.entry(22, "PadOptions"),
          Map.entry(27, "ReducerOptions"),
          Map.entry(28, "SubOptions"),
          Map.entry(30, "SqueezeOptions"),
          Map.entry(38, "DequantizeOptions"),
          Map.entry(89, "QuantizeOptions"),
          Map.entry(91, "HardSwishOptions"),
          Map.entry(15, "ResizeBilinearOptions"),
          Map.entry(40, "ArgMaxOptions"),
          Map.entry(57, "ArgMinOptions"),
          Map.entry(74, "ResizeNearestNeighborOptions"),
          Map.entry(12, "L2NormOptions"),
          Map.entry(39, "MaximumMinimumOptions"),
          Map.entry(43, "PadV2Options"),
          Map.entry(75, "LeakyReluOptions"),
          Map.entry(76, "SquaredDifferenceOptions"),
          Map.entry(23, "GatherOptions"),
          Map.entry(26, "TransposeOptions"),
          Map.entry(32, "StridedSliceOptions"),
          Map.entry(35, "SplitOptions"),
          Map.entry(48, "SliceOptions"),
          Map.entry(51, "TileOptions"),
          Map.entry(59, "PackOptions"),
          Map.entry(64, "UnpackOptions"),
          Map.entry(79, "SplitVOptions"),
          Map.entry(101, "BatchMatMulOptions"),
          Map.entry(71, "UnidirectionalSequenceLSTMOptions"),
          Map.entry(49, "TransposeConvOptions"),
          Map.entry(116, "GeluOptions"));

  /**
   * Schema name of a BuiltinOptions union type, "BuiltinOptions#n" for members not in our subset.
   */
  static String typeName(int type) {
    return TYPE_NAMES.getOrDefault(type, "BuiltinOptions#" + type);
  }

  /** Union type code for a schema name, or 0 (NONE). */
  static int typeCode(String name) {
    for (Map.Entry<Integer, String> e : TYPE_NAMES.entrySet())
      if (e.getValue().equals(name)) return e.getKey();
    return 0;
  }

  static String padding(int p) {
    return p == 0 ? "SAME" : p == 1 ? "VALID" : "PADDING_" + p;
  }

  static String activation(int a) {
    return a >= 0 && a < ActivationFunctionType.names.length
        ? ActivationFunctionType.names[a]
        : "ACTIVATION_" + a;
  }

  static Map<String, Object> decode(Operator op) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (op.builtinOptions(new Conv2DOptions()) == null)
      return m; // type without table: reported by the reader
    if (!spatial(op, m) && !shaping(op, m) && !recurrent(op, m)) other(op, m);
    return m;
  }

  /** CONV_2D, DEPTHWISE_CONV_2D and pool options; false for other option types. */
  private static boolean spatial(Operator op, Map<String, Object> m) {
    switch (op.builtinOptionsType()) {
      case BuiltinOptions.Conv2DOptions -> {
        Conv2DOptions o = (Conv2DOptions) op.builtinOptions(new Conv2DOptions());
        window(m, o.padding(), o.strideH(), o.strideW());
        m.put("dilation_h_factor", o.dilationHFactor());
        m.put("dilation_w_factor", o.dilationWFactor());
        m.put("fused_activation_function", activation(o.fusedActivationFunction()));
      }
      case BuiltinOptions.DepthwiseConv2DOptions -> {
        DepthwiseConv2DOptions o =
            (DepthwiseConv2DOptions) op.builtinOptions(new DepthwiseConv2DOptions());
        window(m, o.padding(), o.strideH(), o.strideW());
        m.put("depth_multiplier", o.depthMultiplier());
        m.put("dilation_h_factor", o.dilationHFactor());
        m.put("dilation_w_factor", o.dilationWFactor());
        m.put("fused_activation_function", activation(o.fusedActivationFunction()));
      }
      case BuiltinOptions.Pool2DOptions -> {
        Pool2DOptions o = (Pool2DOptions) op.builtinOptions(new Pool2DOptions());
        window(m, o.padding(), o.strideH(), o.strideW());
        m.put("filter_height", o.filterHeight());
        m.put("filter_width", o.filterWidth());
        m.put("fused_activation_function", activation(o.fusedActivationFunction()));
      }
      case BuiltinOptions.TransposeConvOptions -> {
        TransposeConvOptions o =
            (TransposeConvOptions) op.builtinOptions(new TransposeConvOptions());
        window(m, o.padding(), o.strideH(), o.strideW());
        m.put("fused_activation_function", activation(o.fusedActivationFunction()));
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** Options of GATHER, STRIDED_SLICE, SPLIT(_V), PACK, UNPACK and BATCH_MATMUL. */
  private static boolean shaping(Operator op, Map<String, Object> m) {
    switch (op.builtinOptionsType()) {
      case BuiltinOptions.GatherOptions -> {
        GatherOptions o = (GatherOptions) op.builtinOptions(new GatherOptions());
        m.put("axis", o.axis());
        m.put("batch_dims", o.batchDims());
      }
      case BuiltinOptions.StridedSliceOptions -> {
        StridedSliceOptions o = (StridedSliceOptions) op.builtinOptions(new StridedSliceOptions());
        m.put("begin_mask", o.beginMask());
        m.put("end_mask", o.endMask());
        m.put("ellipsis_mask", o.ellipsisMask());
        m.put("new_axis_mask", o.newAxisMask());
        m.put("shrink_axis_mask", o.shrinkAxisMask());
        m.put("offset", o.offset());
      }
      case BuiltinOptions.SplitOptions ->
          m.put("num_splits", ((SplitOptions) op.builtinOptions(new SplitOptions())).numSplits());
      case BuiltinOptions.SplitVOptions ->
          m.put("num_splits", ((SplitVOptions) op.builtinOptions(new SplitVOptions())).numSplits());
      case BuiltinOptions.PackOptions -> {
        PackOptions o = (PackOptions) op.builtinOptions(new PackOptions());
        m.put("values_count", o.valuesCount());
        m.put("axis", o.axis());
      }
      case BuiltinOptions.BatchMatMulOptions -> {
        BatchMatMulOptions o = (BatchMatMulOptions) op.builtinOptions(new BatchMatMulOptions());
        m.put("adj_x", o.adjX());
        m.put("adj_y", o.adjY());
      }
      case BuiltinOptions.UnpackOptions -> {
        UnpackOptions o = (UnpackOptions) op.builtinOptions(new UnpackOptions());
        m.put("num", o.num());
        m.put("axis", o.axis());
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** UNIDIRECTIONAL_SEQUENCE_LSTM's options, with the operator's intermediates. */
  private static boolean recurrent(Operator op, Map<String, Object> m) {
    if (op.builtinOptionsType() != BuiltinOptions.UnidirectionalSequenceLSTMOptions) return false;
    UnidirectionalSequenceLSTMOptions o =
        (UnidirectionalSequenceLSTMOptions)
            op.builtinOptions(new UnidirectionalSequenceLSTMOptions());
    m.put("fused_activation_function", activation(o.fusedActivationFunction()));
    m.put("cell_clip", o.cellClip());
    m.put("proj_clip", o.projClip());
    m.put("time_major", o.timeMajor());
    m.put("asymmetric_quantize_inputs", o.asymmetricQuantizeInputs());
    m.put("diagonal_recurrent_tensors", o.diagonalRecurrentTensors());
    List<Integer> inter = new ArrayList<>();
    for (int i = 0; i < op.intermediatesLength(); i++) inter.add(op.intermediates(i));
    m.put("intermediates", List.copyOf(inter));
    return true;
  }

  private static void window(Map<String, Object> m, byte padding, int strideH, int strideW) {
    m.put("padding", padding(padding));
    m.put("stride_h", strideH);
    m.put("stride_w", strideW);
  }

  private static void other(Operator op, Map<String, Object> m) {
    switch (op.builtinOptionsType()) {
      case BuiltinOptions.FullyConnectedOptions -> {
        FullyConnectedOptions o =
            (FullyConnectedOptions) op.builtinOptions(new FullyConnectedOptions());
        m.put("fused_activation_function", activation(o.fusedActivationFunction()));
        m.put("weights_format", (int) o.weightsFormat());
        m.put("keep_num_dims", o.keepNumDims());
        m.put("asymmetric_quantize_inputs", o.asymmetricQuantizeInputs());
      }
      case BuiltinOptions.SoftmaxOptions ->
          m.put("beta", ((SoftmaxOptions) op.builtinOptions(new SoftmaxOptions())).beta());
      case BuiltinOptions.ConcatenationOptions -> {
        ConcatenationOptions o =
            (ConcatenationOptions) op.builtinOptions(new ConcatenationOptions());
        m.put("axis", o.axis());
        m.put("fused_activation_function", activation(o.fusedActivationFunction()));
      }
      case BuiltinOptions.AddOptions ->
          m.put(
              "fused_activation_function",
              activation(
                  ((AddOptions) op.builtinOptions(new AddOptions())).fusedActivationFunction()));
      case BuiltinOptions.SubOptions ->
          m.put(
              "fused_activation_function",
              activation(
                  ((SubOptions) op.builtinOptions(new SubOptions())).fusedActivationFunction()));
      case BuiltinOptions.MulOptions ->
          m.put(
              "fused_activation_function",
              activation(
                  ((MulOptions) op.builtinOptions(new MulOptions())).fusedActivationFunction()));
      case BuiltinOptions.ReshapeOptions -> {
        ReshapeOptions o = (ReshapeOptions) op.builtinOptions(new ReshapeOptions());
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i < o.newShapeLength(); i++) s.add(o.newShape(i));
        m.put("new_shape", List.copyOf(s));
      }
      case BuiltinOptions.ReducerOptions ->
          m.put("keep_dims", ((ReducerOptions) op.builtinOptions(new ReducerOptions())).keepDims());
      case BuiltinOptions.SqueezeOptions -> {
        SqueezeOptions o = (SqueezeOptions) op.builtinOptions(new SqueezeOptions());
        List<Integer> s = new ArrayList<>();
        for (int i = 0; i < o.squeezeDimsLength(); i++) s.add(o.squeezeDims(i));
        m.put("squeeze_dims", List.copyOf(s));
      }
      default -> resizeOrArg(op, m);
    }
  }

  private static void resizeOrArg(Operator op, Map<String, Object> m) {
    switch (op.builtinOptionsType()) {
      case BuiltinOptions.ResizeBilinearOptions -> {
        ResizeBilinearOptions o =
            (ResizeBilinearOptions) op.builtinOptions(new ResizeBilinearOptions());
        m.put("align_corners", o.alignCorners());
        m.put("half_pixel_centers", o.halfPixelCenters());
      }
      case BuiltinOptions.ResizeNearestNeighborOptions -> {
        ResizeNearestNeighborOptions o =
            (ResizeNearestNeighborOptions) op.builtinOptions(new ResizeNearestNeighborOptions());
        m.put("align_corners", o.alignCorners());
        m.put("half_pixel_centers", o.halfPixelCenters());
      }
      case BuiltinOptions.ArgMaxOptions ->
          m.put(
              "output_type",
              (int) ((ArgMaxOptions) op.builtinOptions(new ArgMaxOptions())).outputType());
      case BuiltinOptions.LeakyReluOptions ->
          m.put("alpha", ((LeakyReluOptions) op.builtinOptions(new LeakyReluOptions())).alpha());
      case BuiltinOptions.ArgMinOptions ->
          m.put(
              "output_type",
              (int) ((ArgMinOptions) op.builtinOptions(new ArgMinOptions())).outputType());
      case BuiltinOptions.GeluOptions ->
          m.put("approximate", ((GeluOptions) op.builtinOptions(new GeluOptions())).approximate());
      default -> {}
    }
  }
}
