package org.qat4j.quant.lower;

import org.qat4j.core.Node;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.ZeroPadding2D;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;

/**
 * int8 lowering of the pooling, reshape and padding layers, reached from {@link Int8Lowering}'s
 * tables: {@code x} is the input tensor and {@code q} its params where the layer keeps them.
 */
final class Int8Pools {
  private Int8Pools() {}

  static void maxPool(Int8Lowering lo, Node n, MaxPool2D p, int x, QuantParams q) {
    lo.b.addOp(
        OpKind.MAX_POOL_2D,
        new int[] {x},
        new int[] {lo.act(n, q)},
        OpOptions.Pool.DEFAULT
            .withFilter(p.poolSize()[0], p.poolSize()[1])
            .withStrides(p.strides()[0], p.strides()[1])
            .withPadding(p.padding().name()));
  }

  /** MAX_POOL_2D over the whole H×W into [1, 1, 1, C], then RESHAPE to [1, C]; one range. */
  static void globalMax(Int8Lowering lo, Node n, int x, QuantParams q) {
    int[] in = n.inputs().get(0).shape();
    int pooled =
        lo.b.addTensor(
            TensorSpec.activation(n.name() + "/pooled", new int[] {1, 1, 1, in[2]}, DType.INT8, q));
    lo.b.addOp(
        OpKind.MAX_POOL_2D,
        new int[] {x},
        new int[] {pooled},
        OpOptions.Pool.DEFAULT.withFilter(in[0], in[1]).withStrides(1, 1).withPadding("VALID"));
    reshape(lo, n, pooled, q);
  }

  static void reshape(Int8Lowering lo, Node n, int x, QuantParams q) {
    int[] shape = FloatLowering.batch1(n.shape());
    int st =
        lo.b.addTensor(
            new TensorSpec(
                n.name() + "/shape", new int[] {shape.length}, DType.INT32, null, shape));
    lo.b.addOp(
        OpKind.RESHAPE, new int[] {x, st}, new int[] {lo.act(n, q)}, new OpOptions.Reshape(shape));
  }

  static void pad(Int8Lowering lo, Node n, ZeroPadding2D z, int x, QuantParams q) {
    int[] p = z.padding();
    int pads =
        lo.b.addTensor(
            new TensorSpec(
                n.name() + "/paddings",
                new int[] {4, 2},
                DType.INT32,
                null,
                new int[] {0, 0, p[0], p[1], p[2], p[3], 0, 0}));
    lo.b.addOp(OpKind.PAD, new int[] {x, pads}, new int[] {lo.act(n, q)}, null);
  }

  /** AVERAGE_POOL_2D keeps its input's params (TFLite requires them equal). */
  static void averagePool(Int8Lowering lo, Node n, AveragePool2D p) {
    int x = lo.in(n, 0);
    lo.b.addOp(
        OpKind.AVERAGE_POOL_2D,
        new int[] {x},
        new int[] {lo.act(n, lo.paramsOf(x))},
        OpOptions.Pool.DEFAULT
            .withFilter(p.poolSize()[0], p.poolSize()[1])
            .withStrides(p.strides()[0], p.strides()[1])
            .withPadding(p.padding().name()));
  }

  /** MEAN over H and W, requantized to the output's range. */
  static void globalAverage(Int8Lowering lo, Node n) {
    int axes =
        lo.b.addTensor(
            new TensorSpec(n.name() + "/axes", new int[] {2}, DType.INT32, null, new int[] {1, 2}));
    lo.b.addOp(
        OpKind.MEAN,
        new int[] {lo.in(n, 0), axes},
        new int[] {lo.outOwn(n)},
        new OpOptions.Reducer(false));
  }
}
