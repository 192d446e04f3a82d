package org.qat4j.quant.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Fusable;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.TrainingFusion;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Weighted;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * Conv2D / DepthwiseConv2D / Dense + BatchNormalization (+ ReLU/ReLU6) as one QAT block that
 * convolves once, with the fake-quantized FOLDED kernel {@code w·sf} (sf = γ/σ_running, σ_running =
 * sqrt(moving_var + ε), per output channel; arithmetic: {@link BatchNormFold}), so the int8 weights
 * exported are exactly the ones training used. With live BN statistics (PyTorch's fused ConvBn QAT)
 * the output is batch-normalized as if the conv had used the unscaled kernel: y = γ·(u −
 * mean(u))/σ_B + β for u = z/sf + b, z the conv output and sf = γ/σ_running, computed as the
 * per-channel affine map z·γ/(sf·σ_B) + β − mean(z)·γ/(sf·σ_B) fused with the activation and the
 * output fake-quant (one pass over z for the statistics and output range, one for the output). When
 * BN is frozen or in inference the block is the folded conv plus the folded bias {@code b·sf + β −
 * moving_mean·sf}. Params: the conv's kernel ("kernel" or "depthwise_kernel", latent), optional
 * "bias", the BN's "gamma", "beta", "moving_mean", "moving_variance", quantizer ranges. NHWC (or
 * [N, units] for Dense).
 */
public final class ConvBatchNorm extends Layer implements Fusable {
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
  private BatchNormFold fold;
  float[] sf;
  private float[] sigma;
  float[] mean;
  double[] scaleD;
  double[] sigmaB;
  private boolean batchStats;
  private boolean fused;
  float[] affineMul;
  float[] affineAdd;
  private FakeQuant.Nudged grid;
  BnFold.Window window;
  Tensor z, gz, dz;
  private Tensor a, out, gv;

  /**
   * @param conv the convolution/dense clone, built without bias and activation
   * @param useBias whether the original layer had a bias (kept as a separate param)
   */
  public ConvBatchNorm(
      Layer conv,
      boolean useBias,
      BatchNormalization bn,
      Activation act,
      Quantizer weightRule,
      Quantizer outputRule) {
    super(conv.name());
    if (!(conv instanceof Weighted)) {
      throw new IllegalArgumentException(
          "layer '"
              + conv.name()
              + "': BN folding supports Conv2D, DepthwiseConv2D and Dense, got "
              + conv.type());
    }
    this.conv = conv;
    this.bn = bn;
    this.act = act;
    this.useBias = useBias;
    this.weightRule = weightRule;
    this.outputRule = outputRule;
  }

  public Layer conv() {
    return conv;
  }

  public BatchNormalization batchNorm() {
    return bn;
  }

  public Activation activation() {
    return act;
  }

  public Param kernel() {
    return kernel;
  }

  /** The conv bias, or null. */
  public Param bias() {
    return bias;
  }

  public FakeQuantizer weightQuantizer() {
    return weightQuant;
  }

  /** The output quantizer, or null. */
  public FakeQuantizer outputQuantizer() {
    return outputQuant;
  }

  public int channels() {
    return channels;
  }

  @Override
  public String type() {
    return "ConvBatchNorm";
  }

  @Override
  public int[] outputShape(int[]... in) {
    return conv.outputShape(in);
  }

  static Param kernelOf(Layer l) {
    if (l instanceof Weighted w) return w.kernel();
    throw new IllegalArgumentException("no kernel in " + l);
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    conv.build(in, rng);
    int[] outShape = conv.outputShape(in);
    bn.build(new int[][] {outShape}, rng);
    Param k = kernelOf(conv);
    kernel = new Param(Kernels.kernelParam(conv), k.value().copy(), true);
    channels = outShape[outShape.length - 1];
    if (useBias) bias = new Param("bias", Tensor.zeros(channels), true);
    weightQuant =
        new FakeQuantizer(
            name() + "/kernel_quant",
            weightRule,
            weightRule.perAxis() ? Kernels.outputChannels(conv, k) : 1);
    if (outputRule != null)
      outputQuant = new FakeQuantizer(name() + "/output_quant", outputRule, 1);
  }

  /** Per-channel fold factors γ·rsqrt(moving_var + ε) from the current BN state. */
  public float[] foldScale() {
    return BatchNormFold.of(bn).multiplier();
  }

  /**
   * Folded float kernel w·sf (same layout as the conv kernel, whose output channel is fastest:
   * depthwise in·mult included).
   */
  public Tensor foldedKernel() {
    Tensor w = kernel.value();
    int[] rows = {w.size() / channels, channels};
    return Tensor.of(BatchNormFold.of(bn).weights(w.toArray(), rows, 1), w.shape());
  }

  /** Folded bias b·sf + β − moving_mean·sf, [channels]. */
  public float[] foldedBias() {
    return BatchNormFold.of(bn).bias(bias == null ? null : bias.value().toArray());
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    boolean training = ctx.training();
    prepare(in, ctx);
    if (fused) {
      out = Tensor.reuse(out, z.shape());
      BnFold.affineActQuant(z, out, affineMul, affineAdd, act, grid);
      return out;
    }
    a = Tensor.reuse(a, z.shape());
    Elementwise.affineActivate(z, a, affineMul, affineAdd, act);
    if (outputQuant == null) return a;
    out = Tensor.reuse(out, a.shape());
    return outputQuant.apply(a, out, training);
  }

  /**
   * The forward pass up to the output: the folded kernel, z = conv(in), the batch statistics and
   * moving update (live BN), the affine map and, when the output fake-quant is fused, the
   * observer's range and the grid and gradient window of this step.
   */
  void prepare(Tensor[] in, ExecContext ctx) {
    boolean training = ctx.training();
    prepareKernel(training);
    z = conv.forward(in, ctx);
    batchStats = training && !bn.frozen();
    fused = outputQuant != null && outputQuant.fusable(training);
    boolean observe = fused && outputQuant.observesNow(training);
    BnFold.Stats st = batchStats || observe ? BnFold.stats(z, channels, batchStats, observe) : null;
    float[] mul = null, add;
    if (batchStats) {
      mul = new float[channels];
      add = batchAffine(st, z.size() / channels, mul);
    } else {
      add = fold.bias(bias == null ? null : bias.value().toArray()); // this step's fold
    }
    affineMul = mul;
    affineAdd = add;
    if (fused) {
      if (observe) {
        float[] r = BnFold.outputRange(st.min(), st.max(), mul, add, act);
        outputQuant.observeMinMax(new float[] {r[0]}, new float[] {r[1]});
      }
      grid = outputQuant.grids()[0];
      window = BnFold.window(act, grid);
    }
  }

  /** This step's output grid (after {@link #prepare} with a fused output fake-quant). */
  FakeQuant.Nudged grid() {
    return grid;
  }

  /**
   * Writes fake-quant(w·γ/σ_running) into the conv's kernel. When the weight range is observed from
   * the folded weights, their per-channel min/max is taken in the folding pass.
   */
  void prepareKernel(boolean training) {
    fold = BatchNormFold.of(bn);
    sf = fold.multiplier();
    sigma = new float[channels]; // σ_running, for γ's gradient only
    for (int c = 0; c < channels; c++)
      sigma[c] = (float) Math.sqrt(bn.movingVariance().value().get(c) + bn.epsilon());
    Tensor ck = kernelOf(conv).value();
    boolean minMax = weightQuant.observesNow(training) && weightQuant.rule().observesMinMaxOnly();
    int wc = weightQuant.channels();
    float[] lo = new float[wc], hi = new float[wc];
    if (VectorApi.on() && (wc == 1 || wc == channels) && ck.size() >= KernelFold.VECTOR_MIN) {
      // Not the channel-counter loop (C2 17 runs it serially, 0.1–0.2 ms for conv2); small
      // kernels take KernelFold's flat loops, which C2 compiles from the first steps on.
      if (minMax) FoldVector.foldRange(kernel.value().bytes(), ck.bytes(), sf, ck.size(), lo, hi);
      else FoldVector.fold(kernel.value().bytes(), ck.bytes(), sf, ck.size());
    } else if (wc == 1 || wc == channels) {
      KernelFold.fold(kernel.value().buffer(), ck.buffer(), sf, ck.size(), minMax ? lo : null, hi);
    } else {
      foldPlain(ck, minMax, lo, hi);
    }
    if (minMax) weightQuant.observeMinMax(lo, hi);
    weightQuant.apply(ck, ck, training && !minMax);
  }

  /** The folding loop of {@link #prepareKernel} without the Vector API. */
  private void foldPlain(Tensor ck, boolean minMax, float[] lo, float[] hi) {
    FloatBuffer wb = kernel.value().buffer(), kb = ck.buffer();
    int wc = lo.length;
    for (int i = 0, n = ck.size(), c = 0, q = 0; i < n; i++) {
      float v = wb.get(i) * sf[c];
      kb.put(i, v);
      if (minMax) {
        lo[q] = Math.min(lo[q], v);
        hi[q] = Math.max(hi[q], v);
      }
      if (++c == channels) c = 0;
      if (++q == wc) q = 0;
    }
  }

  /**
   * Batch normalization of the unscaled conv output u = z/sf + b with u's batch statistics, as the
   * affine map y = z·mul + add (b cancels; σ_B² = var(z)/sf² + ε). Updates the moving statistics
   * with u's mean and variance. Returns add; fills mul.
   */
  float[] batchAffine(BnFold.Stats st, int rows, float[] mul) {
    float[] add = new float[channels], b = biasValues();
    mean = new float[channels];
    scaleD = new double[channels];
    sigmaB = new double[channels];
    FloatBuffer mm = bn.movingMean().value().buffer(), mv = bn.movingVariance().value().buffer();
    float m = bn.momentum();
    for (int c = 0; c < channels; c++) {
      double mu = st.sum()[c] / rows,
          var = Math.max(st.sumSq()[c] / rows - mu * mu, 0.0),
          s = sf[c];
      double varU = var / (s * s);
      sigmaB[c] = Math.sqrt(varU + bn.epsilon());
      scaleD[c] = s * sigmaB[c];
      double k = bn.gamma().value().get(c) / scaleD[c];
      mean[c] = (float) mu;
      mul[c] = (float) k;
      add[c] = (float) (bn.beta().value().get(c) - mu * k);
      mm.put(c, m * mm.get(c) + (1 - m) * (float) (mu / s + b[c]));
      mv.put(c, m * mv.get(c) + (1 - m) * (float) varU);
    }
    return add;
  }

  float[] biasValues() {
    return bias == null ? new float[channels] : bias.value().toArray();
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    return backward(g, ctx, new boolean[] {true});
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx, boolean[] needInput) {
    Tensor src = g;
    BnFold.Window w = window;
    if (!fused) {
      byte[] m = outputQuant == null ? null : outputQuant.lastMask();
      w = null;
      // Nothing to mask: the batch backward only reads g (the frozen one hands dz on, so copies).
      if (act != Activation.NONE || m != null || !batchStats) {
        gv = Tensor.reuse(gv, g.shape());
        Elementwise.activationMask(g, a, gv, act, m);
        src = gv;
      }
    }
    double[] dsf =
        batchStats ? BlockGradients.batch(this, src, w) : BlockGradients.frozen(this, src, w);
    Tensor[] dx = conv.backward(dz, ctx, needInput);
    kernelGradient(dsf);
    return dx;
  }

  /**
   * Latent kernel gradient from the folded one (straight-through mask, times sf) in one pass, and
   * γ's gradient through sf = γ/σ_running: dγ += (dsf + Σ dW_fold·w)/σ_running.
   */
  void kernelGradient(double[] dsf) {
    FloatBuffer fb = kernelOf(conv).grad().buffer(),
        wb = kernel.value().buffer(),
        db = kernel.grad().buffer();
    byte[] wm = weightQuant.lastMask();
    for (int i = 0, n = kernel.value().size(), c = 0; i < n; i++) {
      float d = wm == null || wm[i] != 0 ? fb.get(i) : 0f;
      dsf[c] += (double) d * wb.get(i);
      db.put(i, d * sf[c]);
      if (++c == channels) c = 0;
    }
    for (int c = 0; c < channels; c++)
      bn.gamma().grad().set(c, bn.gamma().grad().get(c) + (float) (dsf[c] / sigma[c]));
  }

  /**
   * The conv and BN configs, bias flag, activation and the two quantizer rules (see {@link
   * QatLayers}).
   */
  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("conv_type", conv.type());
    o.add("conv", conv.config());
    o.addProperty("use_bias", useBias);
    o.addProperty("bn_name", bn.name());
    o.add("bn", bn.config());
    o.addProperty("activation", act.name());
    o.add("weight_quantizer", QatLayers.json(weightRule, name()));
    o.add("output_quantizer", QatLayers.json(outputRule, name()));
    return o;
  }

  @Override
  public List<Param> params() {
    List<Param> l = new ArrayList<>();
    if (kernel == null) return l;
    l.add(kernel);
    if (bias != null) l.add(bias);
    l.addAll(bn.params());
    l.addAll(weightQuant.params());
    if (outputQuant != null) l.addAll(outputQuant.params());
    return l;
  }

  @Override
  public TrainingFusion fuseNext(Layer next) {
    return QatPoolFusion.of(this, next);
  }
}
