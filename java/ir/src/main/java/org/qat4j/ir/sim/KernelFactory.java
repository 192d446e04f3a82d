package org.qat4j.ir.sim;

import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.arith.Platform;
import org.qat4j.ir.arith.RoundingMode;

/** Picks and prepares the kernel of one op. */
final class KernelFactory {
  private KernelFactory() {}

  static Simulator.Kernel create(
      LoweredGraph g, OpSpec op, Object[] consts, RoundingMode mode, Platform platform) {
    if (op.outputs().length != 1) throw new IllegalArgumentException("expects exactly one output");
    if (op.inputs().length == 0) throw new IllegalArgumentException("has no inputs");
    for (int i = 0; i < op.inputs().length; i++) {
      // Only the bias (input 2 of weighted ops) may be omitted (-1), as in TFLite.
      if (op.inputs()[i] < 0 && !(op.kind().weighted() && i == 2))
        throw new IllegalArgumentException("input " + i + " is missing");
    }
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
    };
  }
}
