package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/** Fully connected layer on [N, in] inputs: y = act(x·W + b), kernel stored [in, units]. */
public final class Dense extends Layer implements Weighted {
  private final int units;
  private boolean useBias = true;
  private Activation activation = Activation.NONE;
  private Initializer kernelInit = Initializer.glorotUniform();
  private Param kernel;
  private Param bias;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;

  public Dense(String name, int units) {
    super(name);
    if (units <= 0) throw new IllegalArgumentException("Dense '" + name + "': units must be > 0");
    this.units = units;
  }

  public Dense activation(Activation a) {
    this.activation = a;
    return this;
  }

  public Dense useBias(boolean b) {
    this.useBias = b;
    return this;
  }

  /** How {@link #build} draws the kernel (fans in and units); Glorot-uniform by default. */
  public Dense kernelInitializer(Initializer i) {
    this.kernelInit = Objects.requireNonNull(i);
    return this;
  }

  static Dense fromConfig(String name, JsonObject c) {
    return new Dense(name, c.get("units").getAsInt())
        .kernelInitializer(Initializer.fromConfig(c, Initializer.glorotUniform()))
        .activation(Activation.valueOf(Configs.str(c, "activation", "NONE")))
        .useBias(Configs.bool(c, "use_bias", true));
  }

  public int units() {
    return units;
  }

  public boolean hasBias() {
    return useBias;
  }

  public Activation activation() {
    return activation;
  }

  public Initializer kernelInitializer() {
    return kernelInit;
  }

  /** Kernel [in, units]. */
  public Param kernel() {
    return kernel;
  }

  /** Bias [units], or null without bias. */
  public Param bias() {
    return bias;
  }

  @Override
  public String type() {
    return "Dense";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 1)
      throw shapeError(
          "expects a flat input [features], got " + Arrays.toString(s) + "; add Flatten first");
    return new int[] {units};
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int fanIn = in[0][0];
    kernel = new Param("kernel", kernelInit.sample(rng, fanIn, units, fanIn, units), true);
    if (useBias) bias = new Param("bias", Tensor.zeros(units), true);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    if (kernel == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    int k = kernel.value().dim(0);
    if (x.rank() != 2 || x.dim(1) != k) {
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, " + k + "], got " + x);
    }
    int n = x.dim(0);
    y = Tensor.reuse(y, n, units);
    SplitGemm.sgemm(
        ctx.gemm(),
        false,
        false,
        n,
        units,
        k,
        1f,
        x,
        0,
        k,
        kernel.value(),
        0,
        units,
        0f,
        y,
        0,
        units);
    biasAndActivation(n);
    return y;
  }

  private void biasAndActivation(int n) {
    if (!useBias && activation == Activation.NONE) return;
    Rows.addBiasActivate(y, n, units, useBias ? bias.value().toArray() : null, activation);
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int n = x.dim(0), k = x.dim(1);
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    SplitGemm.sgemm(
        ctx.gemm(),
        true,
        false,
        k,
        units,
        n,
        1f,
        x,
        0,
        k,
        g,
        0,
        units,
        0f,
        kernel.grad(),
        0,
        units);
    if (useBias) Reductions.sumRows(g, n, units, bias.grad());
    dx = Tensor.reuse(dx, n, k);
    SplitGemm.sgemm(
        ctx.gemm(),
        false,
        true,
        n,
        k,
        units,
        1f,
        g,
        0,
        units,
        kernel.value(),
        0,
        units,
        0f,
        dx,
        0,
        k);
    return new Tensor[] {dx};
  }

  @Override
  public List<Param> params() {
    List<Param> l = new ArrayList<>(List.of(kernel));
    if (bias != null) l.add(bias);
    return l;
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("units", units);
    o.addProperty("use_bias", useBias);
    o.addProperty("activation", activation.name());
    Initializer.putUnlessDefault(o, kernelInit, Initializer.glorotUniform());
    return o;
  }

  @Override
  public Dense copy(Activation act, boolean withBias) {
    return new Dense(name(), units).kernelInitializer(kernelInit).activation(act).useBias(withBias);
  }

  @Override
  public Dense copy() {
    return copy(activation, useBias);
  }

  @Override
  public <R> R accept(Visitor<R> v) {
    return v.dense(this);
  }
}
