package org.qat4j.quant.layers;

import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.TrainingFusion;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.ConvPoolPass;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * A {@link ConvBatchNorm} (Conv2D, live BN, ReLU or ReLU6, fusable output fake-quant) and the 2×2
 * stride-2 {@link MaxPool2D} after it as one training step on NHWC tensors, through core's {@link
 * ConvPoolPass}; the conv output is never stored. The block's folded, fake-quantized kernel Wq is
 * prepared as usual; z = conv(x, Wq) has batch mean Wq·s/M and variance Wq·Cov·Wqᵀ from the input's
 * patch moments, which give the block's BN affine map (its {@code batchAffine}: the same moving
 * statistics update). One pass then convolves, maps, activates and pools, tracking each filter's z
 * range (the output observer's batch range, as the block's own statistics pass gives it) and per
 * window the largest value before the arg-max. The output fake-quant runs on the pooled values only
 * (quantization is monotone), an image at a time inside core's tie scan ({@link GridLevels}); where
 * an earlier tap reaches the maximum's level, the gradient goes to the first such tap, as a max
 * pool over the quantized tensor routes it. Backward: the block's batch-statistics gradient (BN
 * coefficients, the activation and output-quant window, dL/dsf, the weight fake-quant's
 * straight-through mask) from the moments plus one pass over the pooled gradient. Results match the
 * separate layers up to float rounding; they do not depend on the thread count.
 */
final class ConvPoolQat implements TrainingFusion {
  private final ConvBatchNorm block;
  private final ConvPoolPass pass;
  private final Activation act;
  private final float cap;
  private boolean active;
  private FakeQuant.Nudged grid;
  private Tensor out;

  private ConvPoolQat(ConvBatchNorm block, Conv2D conv, MaxPool2D pool) {
    this.block = block;
    this.pass = new ConvPoolPass(conv, pool);
    this.act = block.activation();
    this.cap = act == Activation.RELU6 ? 6f : Float.POSITIVE_INFINITY;
  }

  /**
   * The fusion of block → next, or null unless next is a MaxPool2D and block a ReLU/ReLU6 Conv2D.
   */
  static ConvPoolQat match(ConvBatchNorm block, Layer next) {
    Activation a = block.activation();
    if (!(next instanceof MaxPool2D pool) || !(block.conv() instanceof Conv2D conv)) return null;
    return a == Activation.RELU || a == Activation.RELU6
        ? new ConvPoolQat(block, conv, pool)
        : null;
  }

  @Override
  public int span() {
    return 2;
  }

  /**
   * Fused when {@code fused}, the conv input needs no gradient (the pass computes none), training
   * with live BN statistics, an output quantizer that is absent, disabled or one the block may
   * compute itself, and the conv and pool fit {@link ConvPoolPass}.
   */
  @Override
  public boolean use(boolean fused, boolean inputGradient, ExecContext ctx) {
    FakeQuantizer oq = block.outputQuantizer();
    active =
        fused
            && !inputGradient
            && ctx.training()
            && !block.batchNorm().frozen()
            && (oq == null || !oq.enabled() || oq.fusable(true))
            && pass.fits();
    return active;
  }

  @Override
  public boolean active() {
    return active;
  }

  @Override
  public Tensor forward(Tensor in, ExecContext ctx) {
    block.prepareKernel(true);
    double[][] mv = pass.statistics(in);
    int f = block.channels(), rows = pass.positions();
    double[] sum = new double[f], sq = new double[f];
    for (int c = 0; c < f; c++) {
      sum[c] = mv[0][c] * rows;
      sq[c] = (mv[1][c] + mv[0][c] * mv[0][c]) * rows;
    }
    float[] mul = new float[f];
    float[] add = block.batchAffine(new BnFold.Stats(sum, sq, null, null), rows, mul);
    float[] range = new float[2 * f];
    Tensor y = pass.forward(mul, add, cap, range);
    FakeQuantizer oq = block.outputQuantizer();
    grid = null;
    if (oq == null || !oq.enabled()) return y;
    if (oq.observesNow(true)) {
      float[] r =
          BnFold.outputRange(
              Arrays.copyOf(range, f), Arrays.copyOfRange(range, f, 2 * f), mul, add, act);
      oq.observeMinMax(new float[] {r[0]}, new float[] {r[1]});
    }
    grid = oq.grids()[0];
    out = Tensor.reuse(out, y.shape());
    // The output fake-quant runs inside the tie scan, an image at a time.
    pass.reselect(out, new Grid(grid, cap));
    return out;
  }

  @Override
  public Tensor backward(Tensor gy, ExecContext ctx, boolean needInput) {
    if (gy == null) {
      for (Param p : block.params()) if (p.trainable()) p.grad().fill(0f);
      return null;
    }
    int f = block.channels(), rows = pass.positions();
    float[] invD = new float[f];
    for (int c = 0; c < f; c++) invD[c] = (float) (1 / block.scaleD[c]);
    BnFold.Window w = BnFold.window(act, grid);
    double[][] s = pass.sums(gy, block.mean, invD, w.qlo(), w.qhi());
    double[][] pqr = new double[3][f];
    // s[1] is already Σ g·(z − μ)/D.
    double[] dsf = BlockGradients.coefficients(block, s[0], s[1], rows, pqr);
    Tensor dx = needInput ? pass.inputGradient(gy, ctx, pqr, block.mean) : null;
    pass.gradients(pqr, block.mean);
    block.kernelGradient(dsf);
    return dx;
  }

  /** A fake-quant grid as the pass's output levels; top is the activation's cap. */
  private record Grid(FakeQuant.Nudged n, float top) implements ConvPoolPass.Level {
    @Override
    public float of(float activated) {
      return FakeQuant.quantizeVars(activated, n);
    }

    /** The same floats as {@link BnFold#affineActQuant} over the activated pooled output. */
    @Override
    public void map(float[] v, int from, int to) {
      GridLevels.map(v, from, to, top, n);
    }

    /** Half a step: a value rounds to its nearest level (with slack for float rounding). */
    @Override
    public float reach() {
      return 0.501f * n.scale();
    }
  }
}
