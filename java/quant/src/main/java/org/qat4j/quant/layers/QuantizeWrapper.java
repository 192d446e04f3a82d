package org.qat4j.quant.layers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * A float layer made quantization-aware: named weights are fake-quantized before the inner layer
 * sees them (the latent float weights stay trainable, gradients pass straight through inside the
 * range), then an optional activation (e.g. a fused standalone ReLU after Add) and an optional
 * output fake-quant. Takes the inner layer's name; its params keep the inner names.
 */
public final class QuantizeWrapper extends Layer {
  private final Layer inner;
  private final Map<String, Quantizer> weightRules;
  private final Quantizer outputRule;
  private final Activation post;
  private final Map<String, Param> latent = new LinkedHashMap<>();
  private final Map<String, FakeQuantizer> weightQuantizers = new LinkedHashMap<>();
  private FakeQuantizer output;
  private Tensor act;
  private Tensor out;
  private Tensor gAct;

  /**
   * @param weightRules param name → quantizer for the weights to fake-quantize
   * @param post activation applied after the inner layer (NONE for none)
   * @param outputRule output quantizer, or null to leave the output float
   */
  public QuantizeWrapper(
      Layer inner, Map<String, Quantizer> weightRules, Activation post, Quantizer outputRule) {
    super(inner.name());
    this.inner = inner;
    this.weightRules = new LinkedHashMap<>(weightRules);
    this.post = post;
    this.outputRule = outputRule;
  }

  public Layer inner() {
    return inner;
  }

  public Activation postActivation() {
    return post;
  }

  /** Weight quantizers keyed by param name. */
  public Map<String, FakeQuantizer> weightQuantizers() {
    return weightQuantizers;
  }

  /** Latent (float, trainable) weight of the given param name. */
  public Param latent(String param) {
    return latent.get(param);
  }

  /** The output quantizer, or null. */
  public FakeQuantizer outputQuantizer() {
    return output;
  }

  @Override
  public String type() {
    return "Quantize" + inner.type();
  }

  @Override
  public int arity() {
    return inner.arity();
  }

  @Override
  public int[] outputShape(int[]... in) {
    return inner.outputShape(in);
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    inner.build(in, rng);
    for (Param p : inner.params()) {
      Quantizer q = weightRules.get(p.name());
      if (q == null) continue;
      latent.put(p.name(), new Param(p.name(), p.value().copy(), p.trainable()));
      int ch = q.perAxis() ? Kernels.outputChannels(inner, p) : 1;
      weightQuantizers.put(p.name(), new FakeQuantizer(name() + "/" + p.name() + "_quant", q, ch));
    }
    for (String w : weightRules.keySet()) {
      if (!latent.containsKey(w))
        throw new IllegalArgumentException(
            "layer '" + name() + "' has no param '" + w + "' to quantize");
    }
    if (outputRule != null) output = new FakeQuantizer(name() + "/output_quant", outputRule, 1);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    for (Param p : inner.params()) {
      FakeQuantizer fq = weightQuantizers.get(p.name());
      if (fq == null) continue;
      Tensor w = latent.get(p.name()).value();
      Tensor r = fq.apply(w, p.value(), ctx.training());
      if (r != p.value()) p.value().copyFrom(r);
    }
    Tensor y = inner.forward(in, ctx);
    if (post != Activation.NONE) {
      act = Tensor.reuse(act, y.shape());
      Kernels.activate(post, y, act);
      y = act;
    }
    if (output == null) return y;
    out = Tensor.reuse(out, y.shape());
    return output.apply(y, out, ctx.training());
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    return backward(g, ctx, null);
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx, boolean[] needInput) {
    Tensor grad = g;
    byte[] m = output == null ? null : output.lastMask();
    if (post != Activation.NONE || m != null) {
      // One pass: the output STE mask and the activation's gradient gate together.
      gAct = Tensor.reuse(gAct, g.shape());
      Elementwise.activationMask(g, post == Activation.NONE ? g : act, gAct, post, m);
      grad = gAct;
    }
    Tensor[] dx =
        needInput == null ? inner.backward(grad, ctx) : inner.backward(grad, ctx, needInput);
    for (Param p : inner.params()) {
      FakeQuantizer fq = weightQuantizers.get(p.name());
      if (fq == null || !p.trainable()) continue;
      maskInto(p.grad(), fq.lastMask(), latent.get(p.name()).grad());
    }
    return dx;
  }

  /** dst = src where mask (null = all ones) is 1, else 0. */
  private static void maskInto(Tensor src, byte[] mask, Tensor dst) {
    if (mask == null) dst.copyFrom(src);
    else Elementwise.activationMask(src, src, dst, Activation.NONE, mask);
  }

  /** Inner params with quantized weights replaced by their latent copies, then quantizer ranges. */
  @Override
  public List<Param> params() {
    List<Param> l = new ArrayList<>();
    for (Param p : inner.params()) l.add(latent.getOrDefault(p.name(), p));
    for (FakeQuantizer q : weightQuantizers.values()) l.addAll(q.params());
    if (output != null) l.addAll(output.params());
    return l;
  }

  /**
   * {"inner": inner config, "weight_quantizers": {param: rule}, "post_activation",
   * "output_quantizer"}.
   */
  @Override
  public com.google.gson.JsonObject config() {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject(),
        w = new com.google.gson.JsonObject();
    o.add("inner", inner.config());
    for (var e : weightRules.entrySet()) w.add(e.getKey(), QatLayers.json(e.getValue(), name()));
    o.add("weight_quantizers", w);
    o.addProperty("post_activation", post.name());
    o.add("output_quantizer", QatLayers.json(outputRule, name()));
    return o;
  }
}
