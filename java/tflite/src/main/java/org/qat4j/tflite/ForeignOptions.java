package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.tflite.fb.ArgMaxOptions;
import org.qat4j.tflite.fb.ArgMinOptions;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.GeluOptions;
import org.qat4j.tflite.fb.L2NormOptions;
import org.qat4j.tflite.fb.LeakyReluOptions;
import org.qat4j.tflite.fb.ResizeBilinearOptions;
import org.qat4j.tflite.fb.ResizeNearestNeighborOptions;
import org.qat4j.tflite.fb.TransposeConvOptions;

/**
 * Options tables of ARG_MAX, ARG_MIN, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, LEAKY_RELU and
 * L2_NORMALIZATION (written here, read by TfliteOps as its fused activation) and TRANSPOSE_CONV
 * (written; TfliteOps reads it back) and GELU, for the rows of {@link TfliteOps} (operators found
 * in other tools' models).
 */
final class ForeignOptions {
  private ForeignOptions() {}

  /** {union type, table offset} of {@code op}'s options. */
  static int[] encode(FlatBufferBuilder b, OpSpec op) {
    return switch (op.kind()) {
      case ARG_MAX -> {
        byte t = (byte) op.options(OpOptions.ArgMinMax.class).outputType().tfliteCode();
        yield new int[] {BuiltinOptions.ArgMaxOptions, ArgMaxOptions.createArgMaxOptions(b, t)};
      }
      case ARG_MIN -> {
        byte t = (byte) op.options(OpOptions.ArgMinMax.class).outputType().tfliteCode();
        yield new int[] {BuiltinOptions.ArgMinOptions, ArgMinOptions.createArgMinOptions(b, t)};
      }
      case RESIZE_BILINEAR -> {
        OpOptions.Resize o = op.options(OpOptions.Resize.class);
        yield new int[] {
          BuiltinOptions.ResizeBilinearOptions,
          ResizeBilinearOptions.createResizeBilinearOptions(
              b, o.alignCorners(), o.halfPixelCenters())
        };
      }
      case LEAKY_RELU ->
          new int[] {
            BuiltinOptions.LeakyReluOptions,
            LeakyReluOptions.createLeakyReluOptions(
                b, op.options(OpOptions.LeakyRelu.class).alpha())
          };
      case RESIZE_NEAREST_NEIGHBOR -> {
        OpOptions.Resize o = op.options(OpOptions.Resize.class);
        yield new int[] {
          BuiltinOptions.ResizeNearestNeighborOptions,
          ResizeNearestNeighborOptions.createResizeNearestNeighborOptions(
              b, o.alignCorners(), o.halfPixelCenters())
        };
      }
      case L2_NORMALIZATION -> l2Norm(b, op);
      case TRANSPOSE_CONV -> transposeConv(b, op);
      case GELU -> gelu(b, op);
      default -> throw new IllegalArgumentException(op.kind() + " has no options here");
    };
  }

  private static int[] gelu(FlatBufferBuilder b, OpSpec op) {
    boolean approximate = op.options(OpOptions.Gelu.class).approximate();
    return new int[] {BuiltinOptions.GeluOptions, GeluOptions.createGeluOptions(b, approximate)};
  }

  private static int[] l2Norm(FlatBufferBuilder b, OpSpec op) {
    byte act = (byte) op.options().activation().code();
    return new int[] {BuiltinOptions.L2NormOptions, L2NormOptions.createL2NormOptions(b, act)};
  }

  private static int[] transposeConv(FlatBufferBuilder b, OpSpec op) {
    OpOptions.TransposeConv o = op.options(OpOptions.TransposeConv.class);
    byte act = (byte) o.activation().code();
    return new int[] {
      BuiltinOptions.TransposeConvOptions,
      TransposeConvOptions.createTransposeConvOptions(
          b, TfliteOps.padding(o, op), o.strideW(), o.strideH(), act)
    };
  }

  /** The options record of kind {@code k} from the decoded table {@code o}. */
  static OpOptions decode(OpKind k, Map<String, Object> o) {
    return switch (k) {
      // TFLite's default output_type (0, FLOAT32) is refused by the kernel, as by TFLite
      case ARG_MAX, ARG_MIN ->
          new OpOptions.ArgMinMax(
              DType.fromTflite(o.get("output_type") instanceof Integer c ? c : 0));
      case RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR ->
          new OpOptions.Resize(
              Boolean.TRUE.equals(o.get("align_corners")),
              Boolean.TRUE.equals(o.get("half_pixel_centers")));
      // TFLite's alpha when the options are absent is 0
      case LEAKY_RELU -> new OpOptions.LeakyRelu(o.get("alpha") instanceof Float a ? a : 0f);
      case GELU -> new OpOptions.Gelu(Boolean.TRUE.equals(o.get("approximate")));
      default -> throw new IllegalArgumentException(k + " has no options here");
    };
  }
}
