package org.qat4j.quant.layers;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * Conv2D / DepthwiseConv2D / Dense + BatchNormalization (+ ReLU/ReLU6) as one QAT block that
 * convolves with the fake-quantized FOLDED kernel {@code w·γ/sqrt(moving_var + ε)} (per output
 * channel), so the int8 weights exported are exactly the ones training used. While training with
 * live BN statistics the conv result is unscaled and batch-normalized (PyTorch ConvBn style); when
 * the BN is frozen or in inference the block is the folded conv plus folded bias
 * {@code β + (b − moving_mean)·γ/sqrt(moving_var + ε)}. Params: the conv's kernel ("kernel" or "depthwise_kernel", latent),
 * optional "bias", the BN's "gamma", "beta", "moving_mean", "moving_variance", quantizer ranges.
 */
public final class ConvBatchNorm extends Layer {
  private final Layer conv;
  private final BatchNormalization bn;
  private final Activation act;
  private final boolean useBias;
  private final Quantizer weightRule;
  private final Quantizer outputRule;
  private Param kernel;
  private Param bias;
  private FakeQuantizer weightQuant;
  private FakeQuantizer outputQuant;
  private int channels;
  private float[] sf;
  private float[] sigma;
  private boolean batchStats;
  private Tensor wfold, z, u, a, out, gv, gz;

  /**
   * @param conv the convolution/dense clone, built without bias and activation
   * @param useBias whether the original layer had a bias (kept as a separate param)
   */
  public ConvBatchNorm(Layer conv, boolean useBias, BatchNormalization bn, Activation act, Quantizer weightRule, Quantizer outputRule) {
    super(conv.name());
    if (!(conv instanceof Conv2D || conv instanceof DepthwiseConv2D || conv instanceof Dense)) {
      throw new IllegalArgumentException("layer '" + conv.name() + "': BN folding supports Conv2D, DepthwiseConv2D and Dense, got " + conv.type());
    }
    this.conv = conv;
    this.bn = bn;
    this.act = act;
    this.useBias = useBias;
    this.weightRule = weightRule;
    this.outputRule = outputRule;
  }

  public Layer conv() { return conv; }
  public BatchNormalization batchNorm() { return bn; }
  public Activation activation() { return act; }
  public Param kernel() { return kernel; }
  /** The conv bias, or null. */
  public Param bias() { return bias; }
  public FakeQuantizer weightQuantizer() { return weightQuant; }
  /** The output quantizer, or null. */
  public FakeQuantizer outputQuantizer() { return outputQuant; }
  public int channels() { return channels; }

  @Override public String type() { return "ConvBatchNorm"; }
  @Override public int[] outputShape(int[]... in) { return conv.outputShape(in); }

  static Param kernelOf(Layer l) {
    if (l instanceof Conv2D c) return c.kernel();
    if (l instanceof DepthwiseConv2D d) return d.kernel();
    if (l instanceof Dense d) return d.kernel();
    throw new IllegalArgumentException("no kernel in " + l);
  }

  @Override public void build(int[][] in, SplittableRandom rng) {
    conv.build(in, rng);
    int[] outShape = conv.outputShape(in);
    bn.build(new int[][] {outShape}, rng);
    Param k = kernelOf(conv);
    kernel = new Param(Kernels.kernelParam(conv), k.value().copy(), true);
    channels = outShape[outShape.length - 1];
    if (useBias) bias = new Param("bias", Tensor.zeros(channels), true);
    weightQuant = new FakeQuantizer(name() + "/kernel_quant", weightRule, weightRule.perAxis() ? Kernels.outputChannels(conv, k) : 1);
    if (outputRule != null) outputQuant = new FakeQuantizer(name() + "/output_quant", outputRule, 1);
  }

  /** Per-channel fold factors γ/sqrt(moving_var + ε) from the current BN state. */
  public float[] foldScale() {
    float[] s = new float[channels];
    float eps = bn.epsilon();
    for (int c = 0; c < channels; c++) {
      s[c] = bn.gamma().value().get(c) / (float) Math.sqrt(bn.movingVariance().value().get(c) + eps);
    }
    return s;
  }

  /** Folded float kernel w·sf (same layout as the conv kernel). */
  public Tensor foldedKernel() {
    Tensor t = Tensor.zeros(kernel.value().shape());
    fold(kernel.value(), foldScale(), t);
    return t;
  }

  /** Folded bias β + (b − moving_mean)·sf, [channels]. */
  public float[] foldedBias() {
    float[] s = foldScale(), fb = new float[channels];
    for (int c = 0; c < channels; c++) {
      float b = bias == null ? 0f : bias.value().get(c);
      fb[c] = bn.beta().value().get(c) + (b - bn.movingMean().value().get(c)) * s[c];
    }
    return fb;
  }

  private static void fold(Tensor w, float[] s, Tensor dst) {
    FloatBuffer wb = w.buffer(), db = dst.buffer();
    int c = s.length;
    for (int i = 0, n = w.size(); i < n; i++) db.put(i, wb.get(i) * s[i % c]);
  }

  @Override public Tensor forward(Tensor[] in, ExecContext ctx) {
    sf = foldScale();
    sigma = new float[channels];
    for (int c = 0; c < channels; c++) sigma[c] = (float) Math.sqrt(bn.movingVariance().value().get(c) + bn.epsilon());
    wfold = Tensor.reuse(wfold, kernel.value().shape());
    fold(kernel.value(), sf, wfold);
    Tensor ck = kernelOf(conv).value();
    Tensor q = weightQuant.apply(wfold, ck, ctx.training());
    if (q != ck) ck.copyFrom(q);
    z = conv.forward(in, ctx);
    batchStats = ctx.training() && !bn.frozen();
    a = Tensor.reuse(a, z.shape());
    if (batchStats) {
      u = Tensor.reuse(u, z.shape());
      float[] inv = new float[channels];
      for (int c = 0; c < channels; c++) inv[c] = 1f / sf[c];
      Elementwise.affineActivate(z, u, inv, biasValues(), Activation.NONE);
      Tensor v = bn.forward(new Tensor[] {u}, ctx);
      Elementwise.affineActivate(v, a, null, new float[channels], act);
    } else {
      Elementwise.affineActivate(z, a, null, foldedBias(), act);
    }
    if (outputQuant == null) return a;
    out = Tensor.reuse(out, a.shape());
    return outputQuant.apply(a, out, ctx.training());
  }

  private float[] biasValues() { return bias == null ? new float[channels] : bias.value().toArray(); }

  @Override public Tensor[] backward(Tensor g, ExecContext ctx) {
    gv = Tensor.reuse(gv, g.shape());
    Elementwise.activationMask(g, a, gv, act, outputQuant == null ? null : outputQuant.lastMask());
    double[] dsf, db;
    Tensor gzT;
    if (batchStats) {
      Tensor gu = bn.backward(gv, ctx)[0];
      gz = Tensor.reuse(gz, z.shape());
      double[][] r = Elementwise.unscaleBackward(gu, z, gz, sf);
      db = r[0];
      dsf = r[1];
      gzT = gz;
    } else {
      double[][] r = Elementwise.channelSums(gv, null, channels);
      float[] b = biasValues();
      db = new double[channels];
      dsf = new double[channels];
      for (int c = 0; c < channels; c++) {
        bn.beta().grad().set(c, (float) r[0][c]);
        bn.gamma().grad().set(c, 0f);
        db[c] = r[0][c] * sf[c];
        dsf[c] = r[0][c] * (b[c] - bn.movingMean().value().get(c));
      }
      gzT = gv;
    }
    Tensor[] dx = conv.backward(gzT, ctx);
    Param ck = kernelOf(conv);
    Tensor dw = kernel.grad();
    dw.copyFrom(ck.grad());
    weightQuant.backward(dw);
    FloatBuffer dwb = dw.buffer(), wb = kernel.value().buffer();
    for (int i = 0, n = dw.size(); i < n; i++) {
      int c = i % channels;
      float d = dwb.get(i);
      dsf[c] += (double) d * wb.get(i);
      dwb.put(i, d * sf[c]);
    }
    for (int c = 0; c < channels; c++) {
      bn.gamma().grad().set(c, bn.gamma().grad().get(c) + (float) (dsf[c] / sigma[c]));
      if (bias != null) bias.grad().set(c, (float) db[c]);
    }
    return dx;
  }

  @Override public List<Param> params() {
    List<Param> l = new ArrayList<>();
    if (kernel == null) return l;
    l.add(kernel);
    if (bias != null) l.add(bias);
    l.addAll(bn.params());
    l.addAll(weightQuant.params());
    if (outputQuant != null) l.addAll(outputQuant.params());
    return l;
  }
}
