package org.qat4j.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.util.Map;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;
import org.qat4j.tflite.fb.BuiltinOptions;
import org.qat4j.tflite.fb.GatherOptions;
import org.qat4j.tflite.fb.PackOptions;
import org.qat4j.tflite.fb.SplitOptions;
import org.qat4j.tflite.fb.SplitVOptions;
import org.qat4j.tflite.fb.StridedSliceOptions;
import org.qat4j.tflite.fb.UnpackOptions;

/**
 * Options tables and versions of the data-movement operators (TRANSPOSE, SLICE, STRIDED_SLICE,
 * SPLIT, SPLIT_V, PACK, UNPACK, TILE, GATHER), for the rows of {@link TfliteOps}. Versions follow
 * TFLite's op_version.cc: rank above 4 and the 8-bit types raise them.
 */
final class ShapeOptions {
  private ShapeOptions() {}

  static int[] encode(FlatBufferBuilder b, OpSpec op) {
    return switch (op.kind()) {
      case STRIDED_SLICE -> stridedSlice(b, op.options(OpOptions.StridedSlice.class));
      case SPLIT ->
          new int[] {
            BuiltinOptions.SplitOptions,
            SplitOptions.createSplitOptions(b, op.options(OpOptions.Split.class).numSplits())
          };
      case SPLIT_V ->
          new int[] {
            BuiltinOptions.SplitVOptions,
            SplitVOptions.createSplitVOptions(b, op.options(OpOptions.SplitV.class).numSplits())
          };
      case PACK -> {
        OpOptions.Pack o = op.options(OpOptions.Pack.class);
        yield new int[] {
          BuiltinOptions.PackOptions, PackOptions.createPackOptions(b, o.valuesCount(), o.axis())
        };
      }
      case UNPACK -> {
        OpOptions.Unpack o = op.options(OpOptions.Unpack.class);
        yield new int[] {
          BuiltinOptions.UnpackOptions, UnpackOptions.createUnpackOptions(b, o.num(), o.axis())
        };
      }
      case GATHER -> {
        OpOptions.Gather o = op.options(OpOptions.Gather.class);
        yield new int[] {
          BuiltinOptions.GatherOptions,
          GatherOptions.createGatherOptions(b, o.axis(), o.batchDims())
        };
      }
      default -> throw new IllegalArgumentException(op.kind() + " has no shape options table");
    };
  }

  private static int[] stridedSlice(FlatBufferBuilder b, OpOptions.StridedSlice o) {
    return new int[] {
      BuiltinOptions.StridedSliceOptions,
      StridedSliceOptions.createStridedSliceOptions(
          b,
          o.beginMask(),
          o.endMask(),
          o.ellipsisMask(),
          o.newAxisMask(),
          o.shrinkAxisMask(),
          o.offset())
    };
  }

  static OpOptions decode(OpKind k, Map<String, Object> o) {
    return switch (k) {
      case STRIDED_SLICE ->
          new OpOptions.StridedSlice(
              integer(o, "begin_mask"),
              integer(o, "end_mask"),
              integer(o, "ellipsis_mask"),
              integer(o, "new_axis_mask"),
              integer(o, "shrink_axis_mask"),
              Boolean.TRUE.equals(o.get("offset")));
      case SPLIT -> new OpOptions.Split(integer(o, "num_splits"));
      case SPLIT_V -> new OpOptions.SplitV(integer(o, "num_splits"));
      case PACK -> new OpOptions.Pack(integer(o, "values_count"), integer(o, "axis"));
      case UNPACK -> new OpOptions.Unpack(integer(o, "num"), integer(o, "axis"));
      case GATHER -> new OpOptions.Gather(integer(o, "axis"), integer(o, "batch_dims"));
      default -> throw new IllegalArgumentException(k + " has no shape options table");
    };
  }

  /** A field of the options table; 0 (the schema default) when absent. */
  private static int integer(Map<String, Object> o, String key) {
    return o.get(key) instanceof Integer i ? i : 0;
  }

  static int version(LoweredGraph g, OpSpec op, boolean int8) {
    int rank = rank(g, op);
    return switch (op.kind()) {
      case TRANSPOSE -> rank > 5 ? 6 : rank > 4 ? 4 : int8 ? 2 : 1;
      case SLICE -> rank > 4 ? 5 : int8 ? 2 : 1;
      case STRIDED_SLICE -> stridedSlice(op.options(OpOptions.StridedSlice.class), rank, int8);
      case SPLIT -> split(g, op);
      case UNPACK -> int8 || type(g, op) == DType.UINT8 ? 2 : 1;
      case TILE -> int8 ? 3 : 1;
      case GATHER -> op.options(OpOptions.Gather.class).batchDims() != 0 ? 5 : int8 ? 2 : 1;
      case SPLIT_V, PACK -> int8 ? 2 : 1;
      default -> throw new IllegalArgumentException(op.kind() + " is not a shape operator");
    };
  }

  private static int stridedSlice(OpOptions.StridedSlice o, int rank, boolean int8) {
    if (o.offset()) return 8;
    if (o.ellipsisMask() != 0 || o.newAxisMask() != 0) return 6;
    return rank > 4 ? 4 : int8 ? 2 : 1;
  }

  /** SPLIT's value is input 1 (input 0 is the axis). */
  private static int split(LoweredGraph g, OpSpec op) {
    TensorSpec v = tensor(g, op, 1);
    if (v == null) return 1;
    return v.type() == DType.INT8 ? 2 : v.type() == DType.INT32 ? 3 : 1;
  }

  private static int rank(LoweredGraph g, OpSpec op) {
    TensorSpec x = tensor(g, op, 0);
    return x == null ? 0 : x.shape().length;
  }

  private static DType type(LoweredGraph g, OpSpec op) {
    TensorSpec x = tensor(g, op, 0);
    return x == null ? null : x.type();
  }

  private static TensorSpec tensor(LoweredGraph g, OpSpec op, int k) {
    int[] in = op.inputs();
    return k < in.length && in[k] >= 0 && in[k] < g.tensors().size() ? g.tensor(in[k]) : null;
  }
}
