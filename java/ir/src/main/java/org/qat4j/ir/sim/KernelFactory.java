package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.RoundingMode;

/** Picks and prepares the kernel of one op. */
final class KernelFactory {
  private KernelFactory() {}

  static Simulator.Kernel create(
      LoweredGraph g, OpSpec op, Object[] consts, RoundingMode mode, Platform platform) {
    checkShape(op);
    return switch (op.kind()) {
      case CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED ->
          ConvKernels.create(g, op, consts, mode, platform);
      case AVERAGE_POOL_2D, MAX_POOL_2D -> PoolKernels.pool(g, op);
      case MEAN -> PoolKernels.mean(g, op, consts, mode, platform);
      case ADD, MUL -> EltwiseKernels.binary(g, op, mode);
      case RELU, RELU6 -> EltwiseKernels.relu(g, op, mode);
      case LOGISTIC, HARD_SWISH, SOFTMAX -> ActivationKernels.create(g, op);
      case RESHAPE -> DataKernels.reshape(g, op);
      case PAD -> DataKernels.pad(g, op, consts);
      case CONCATENATION -> DataKernels.concat(g, op);
      case QUANTIZE -> DataKernels.quantize(g, op, mode, platform);
      case DEQUANTIZE -> DataKernels.dequantize(g, op, mode, platform);
      case SUB -> SubKernels.create(g, op);
      case CAST -> CastKernels.create(g, op);
      case ARG_MAX, ARG_MIN -> ArgMinMaxKernels.create(g, op);
      case RESIZE_BILINEAR -> ResizeBilinearKernels.create(g, op, consts);
      case RESIZE_NEAREST_NEIGHBOR -> ResizeNearestKernels.create(g, op, consts);
      case MAXIMUM, MINIMUM -> MaxMinKernels.create(g, op);
      case TANH -> TanhKernels.create(g, op);
      case LEAKY_RELU -> LeakyKernels.leakyRelu(g, op, mode);
      case PRELU -> LeakyKernels.prelu(g, op);
      case PADV2 -> PadV2Kernels.create(g, op, consts);
      case TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, TILE, GATHER ->
          dataMovement(g, op, consts);
      case SUM -> ReduceKernels.sum(g, op, consts);
      case REDUCE_MAX -> ReduceKernels.max(g, op, consts);
      case SQUARED_DIFFERENCE -> SquaredDifferenceKernels.create(g, op);
      case BATCH_MATMUL -> BatchMatMulKernels.create(g, op, mode);
      // TFLite runs no other arithmetic for it (XNNPACK does not take the LSTM)
      case UNIDIRECTIONAL_SEQUENCE_LSTM -> LstmKernels.create(g, op, consts);
      case L2_NORMALIZATION -> L2NormKernels.create(g, op);
      case ELU -> EluKernels.create(g, op);
      case TRANSPOSE_CONV -> TransposeConvKernels.create(g, op, consts, mode, platform);
      case GELU -> GeluKernels.create(g, op);
    };
  }

  /** The data-movement family; the outer switch is the exhaustive one. */
  private static Simulator.Kernel dataMovement(LoweredGraph g, OpSpec op, Object[] consts) {
    return switch (op.kind()) {
      case TRANSPOSE -> ShapeKernels.transpose(g, op, consts);
      case SLICE -> ShapeKernels.slice(g, op, consts);
      case STRIDED_SLICE -> StridedSliceKernels.create(g, op, consts);
      case SPLIT -> SplitKernels.split(g, op, consts);
      case SPLIT_V -> SplitKernels.splitV(g, op, consts);
      case PACK -> SplitKernels.pack(g, op);
      case UNPACK -> SplitKernels.unpack(g, op);
      case TILE -> ShapeKernels.tile(g, op, consts);
      case GATHER -> GatherKernels.create(g, op, consts);
      default -> throw new IllegalStateException(op.kind() + " is not a data-movement operator");
    };
  }

  private static void checkShape(OpSpec op) {
    if (op.outputs().length == 0) throw new IllegalArgumentException("has no outputs");
    if (op.outputs().length != 1 && !op.kind().multiOutput())
      throw new IllegalArgumentException("expects exactly one output");
    if (op.inputs().length == 0) throw new IllegalArgumentException("has no inputs");
    for (int i = 0; i < op.inputs().length; i++) {
      // Only a bias (input 2 of weighted ops, 3 of TRANSPOSE_CONV) and the LSTM's optional
      // tensors may be omitted (-1), as in TFLite.
      if (op.inputs()[i] < 0 && !(op.kind().optionalInput(i) && op.kind() != OpKind.RESHAPE))
        throw new IllegalArgumentException("input " + i + " is missing");
    }
  }
}
