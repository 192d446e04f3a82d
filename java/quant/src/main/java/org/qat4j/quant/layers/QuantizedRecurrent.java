package org.qat4j.quant.layers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.LSTM;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * A quantization-aware LSTM or GRU, as PyTorch's quantizable LSTM: kernel and recurrent kernel
 * fake-quantized per tensor (the latent float weights train), and one activation quantizer per role
 * of the unrolled cell ({@link RecurrentCells}: gate pre-activations, gate outputs, products, cell
 * and hidden state…) shared by all steps, applied where the int8 graph rounds. LOGISTIC and TANH
 * outputs have TFLite's fixed grids, hard_sigmoid outputs [0, 1]. The output is the hidden state's
 * role "h". Straight-through gradients. Takes the inner layer's name and params.
 */
public final class QuantizedRecurrent extends Layer {
  private final Layer inner;
  private final Quantizer weightRule;
  private final Quantizer activationRule;
  private FakeQuantizer kernelQuant;
  private FakeQuantizer recurrentQuant;
  private final Map<String, FakeQuantizer> roles = new LinkedHashMap<>();
  private Tensor kernelQ;
  private Tensor recurrentQ;
  private CellTape tape;

  /**
   * @param inner an LSTM or GRU
   * @param weightRule a per-tensor rule for both kernels
   * @param activationRule the rule of every role without a fixed grid
   */
  public QuantizedRecurrent(Layer inner, Quantizer weightRule, Quantizer activationRule) {
    super(inner.name());
    if (!(inner instanceof LSTM || inner instanceof GRU))
      throw new IllegalArgumentException(
          "layer '" + inner.name() + "' (" + inner.type() + ") is not an LSTM or GRU");
    if (weightRule.perAxis())
      throw new IllegalArgumentException(
          "layer '" + inner.name() + "': recurrent kernels are quantized per tensor");
    this.inner = inner;
    this.weightRule = weightRule;
    this.activationRule = activationRule;
  }

  public Layer inner() {
    return inner;
  }

  @Override
  public String type() {
    return "Quantize" + inner.type();
  }

  @Override
  public int[] outputShape(int[]... in) {
    return inner.outputShape(in);
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    inner.build(in, rng);
    kernelQuant = new FakeQuantizer(name() + "/kernel_quant", weightRule, 1);
    recurrentQuant = new FakeQuantizer(name() + "/recurrent_kernel_quant", weightRule, 1);
    CellRoles dry = new CellRoles(activationRule);
    RecurrentCells.walk(inner, dry);
    roles.clear();
    for (var e : dry.rules().entrySet())
      roles.put(
          e.getKey(), new FakeQuantizer(name() + "/" + e.getKey() + "_quant", e.getValue(), 1));
  }

  /** The kernel [F, G·U] and recurrent kernel [U, G·U] quantizers. */
  public List<FakeQuantizer> weightQuantizers() {
    return List.of(kernelQuant, recurrentQuant);
  }

  /** The quantizer of weight matrix {@code m}. */
  public FakeQuantizer weightQuantizer(CellOps.Matrix m) {
    return m == CellOps.Matrix.KERNEL ? kernelQuant : recurrentQuant;
  }

  /** The latent (float) weight matrix. */
  public Param weight(CellOps.Matrix m) {
    return inner.params().get(m == CellOps.Matrix.KERNEL ? 0 : 1);
  }

  /** Role → activation quantizer, in the order the cell first uses them. */
  public Map<String, FakeQuantizer> roleQuantizers() {
    return Collections.unmodifiableMap(roles);
  }

  /** The quantizer of {@code role}. */
  public FakeQuantizer role(String role) {
    FakeQuantizer q = roles.get(role);
    if (q == null)
      throw new IllegalArgumentException("layer '" + name() + "' has no role '" + role + "'");
    return q;
  }

  /** The hidden state's quantizer: the output's grid. */
  public FakeQuantizer outputQuantizer() {
    return role("h");
  }

  /** Sets both weight ranges from the current latent weights. */
  public void observeWeights() {
    kernelQuant.observe(weight(CellOps.Matrix.KERNEL).value());
    recurrentQuant.observe(weight(CellOps.Matrix.RECURRENT).value());
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    if (x.rank() != 3 || x.dim(2) != weight(CellOps.Matrix.KERNEL).value().dim(0))
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects [N, T, features], got " + x);
    kernelQ = quantized(kernelQuant, weight(CellOps.Matrix.KERNEL), kernelQ, ctx);
    recurrentQ = quantized(recurrentQuant, weight(CellOps.Matrix.RECURRENT), recurrentQ, ctx);
    Param bias = inner.params().get(2);
    tape = new CellTape(x, kernelQ, recurrentQ, bias.value().size(), roles::get, ctx.training());
    RecurrentCells.walk(inner, tape);
    int units = inner instanceof LSTM l ? l.units() : ((GRU) inner).units();
    boolean seq = inner instanceof LSTM l ? l.returnsSequences() : ((GRU) inner).returnsSequences();
    return tape.output(seq, units);
  }

  private static Tensor quantized(FakeQuantizer q, Param p, Tensor into, ExecContext ctx) {
    Tensor w = into == null ? Tensor.zeros(p.value().shape()) : into;
    Tensor r = q.apply(p.value(), w, ctx.training());
    if (r != w) w.copyFrom(r);
    return w;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    if (tape == null)
      throw new IllegalStateException("layer '" + name() + "': backward before forward");
    Tensor dx = tape.backward(g);
    List<Param> ps = inner.params();
    masked(tape.dw[0], kernelQuant.lastMask(), ps.get(0));
    masked(tape.dw[1], recurrentQuant.lastMask(), ps.get(1));
    ps.get(2).grad().copyFrom(tape.db);
    return new Tensor[] {dx};
  }

  /** p.grad = d where the weight's fake-quant did not clip (mask null = all pass). */
  private static void masked(float[] d, byte[] mask, Param p) {
    if (mask != null) for (int i = 0; i < d.length; i++) if (mask[i] == 0) d[i] = 0f;
    p.grad().copyFrom(d);
  }

  /** The inner params (latent weights, bias), then the weight and role quantizers' ranges. */
  @Override
  public List<Param> params() {
    List<Param> l = new ArrayList<>(inner.params());
    l.addAll(kernelQuant.params());
    l.addAll(recurrentQuant.params());
    for (FakeQuantizer q : roles.values()) l.addAll(q.params());
    return l;
  }

  /** {"inner": inner config, "weight_quantizer", "activation_quantizer"}. */
  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("inner", inner.config());
    o.add("weight_quantizer", QatLayers.json(weightRule, name()));
    o.add("activation_quantizer", QatLayers.json(activationRule, name()));
    return o;
  }
}
