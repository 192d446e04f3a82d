package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.TrainingFusion;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * A {@link ConvBatchNorm} (Conv2D or DepthwiseConv2D, live BN, no activation, ReLU or ReLU6, a
 * fused output fake-quant) and the 2×2 stride-2 {@link MaxPool2D} after it as one training step on
 * NHWC tensors with the Vector API: the block convolves and takes its batch statistics as usual,
 * then one pass quantizes and pools, writing only the pooled output and each window's winning tap
 * (the block's quantized output is never stored or re-read). Backward routes the pooled gradient to
 * the taps as the pool would and runs the block's batch backward. Results are bit-identical to the
 * two layers run apart, at any thread count. Conv outputs a 2×2 pool does not tile (SAME on an odd
 * size) run the two layers.
 */
final class BlockPoolQat implements TrainingFusion {
  private final ConvBatchNorm block;
  private final MaxPool2D pool;
  private boolean active;
  private boolean apart;
  private int[] geo;
  private float[] tap;
  private Tensor y;
  private Tensor g;

  private BlockPoolQat(ConvBatchNorm block, MaxPool2D pool) {
    this.block = block;
    this.pool = pool;
  }

  /** The fusion of block → next, or null unless next is a 2×2 stride-2 max pool. */
  static BlockPoolQat match(ConvBatchNorm block, Layer next) {
    Activation a = block.activation();
    boolean act = a == Activation.NONE || a == Activation.RELU || a == Activation.RELU6;
    if (!act || !(next instanceof MaxPool2D pool)) return null;
    int[] size = pool.poolSize(), st = pool.strides();
    boolean twoByTwo = size[0] == 2 && size[1] == 2 && st[0] == 2 && st[1] == 2;
    return twoByTwo ? new BlockPoolQat(block, pool) : null;
  }

  @Override
  public int span() {
    return 2;
  }

  /**
   * Fused in a training pass that fuses, with the Vector API, live BN statistics and an output
   * quantizer the block computes itself; the input gradient is computed when needed.
   */
  @Override
  public boolean use(boolean fused, boolean inputGradient, ExecContext ctx) {
    FakeQuantizer oq = block.outputQuantizer();
    active =
        fused
            && VectorApi.on()
            && ctx.training()
            && !block.batchNorm().frozen()
            && oq != null
            && oq.fusable(true);
    return active;
  }

  @Override
  public boolean active() {
    return active;
  }

  @Override
  public Tensor forward(Tensor in, ExecContext ctx) {
    int[] zs = block.outputShape(Shapes.dropBatch(in.shape()));
    int[] ps = zs.length == 3 ? pool.outputShape(zs) : null;
    apart = ps == null || 2 * ps[0] > zs[0] || 2 * ps[1] > zs[1];
    if (apart) return pool.forward(new Tensor[] {block.forward(new Tensor[] {in}, ctx)}, ctx);
    block.prepare(new Tensor[] {in}, ctx);
    int n = in.dim(0), c = zs[2];
    geo = new int[] {zs[0], zs[1], c, ps[0], ps[1]};
    y = Tensor.reuse(y, n, ps[0], ps[1], c);
    int outs = y.size();
    if (tap == null || tap.length != outs) tap = new float[outs];
    FakeQuant.Nudged g = block.grid();
    if (g.zero()) {
      // The block's output pass writes +0 everywhere; the pool keeps the first tap.
      y.fill(0f);
      Arrays.fill(tap, 0f);
      return y;
    }
    Activation act = block.activation();
    float[] k = {
      act == Activation.NONE ? Float.NEGATIVE_INFINITY : 0f,
      act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY,
      g.nudgedMin(),
      g.nudgedMax(),
      g.scale(),
      g.qzero()
    };
    float[][] ma = {block.affineMul, block.affineAdd};
    ByteBuffer zb = block.z.bytes(), yb = y.bytes();
    float[] t = tap;
    int[] gm = geo;
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) block.z.size(), 1 << 15),
        (lo, hi) -> {
          for (int b = lo; b < hi; b++) PoolQuantVector.forward(zb, yb, t, b, gm, ma, k);
        });
    return y;
  }

  @Override
  public Tensor backward(Tensor gy, ExecContext ctx, boolean needInput) {
    if (gy == null) {
      for (Param p : block.params()) if (p.trainable()) p.grad().fill(0f);
      return null;
    }
    boolean[] need = {needInput};
    if (apart) return block.backward(pool.backward(gy, ctx)[0], ctx, need)[0];
    int n = gy.dim(0);
    g = Tensor.reuse(g, block.z.shape());
    ByteBuffer gb = gy.bytes(), db = g.bytes();
    float[] t = tap;
    int[] gm = geo;
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) g.size(), 1 << 15),
        (lo, hi) -> {
          for (int b = lo; b < hi; b++) PoolQuantVector.backward(gb, db, t, b, gm);
        });
    double[] dsf = BlockGradients.batch(block, g, block.window);
    Tensor[] dx = block.conv().backward(block.dz, ctx, need);
    block.kernelGradient(dsf);
    return needInput ? dx[0] : null;
  }
}
