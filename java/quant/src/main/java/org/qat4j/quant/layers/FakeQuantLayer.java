package org.qat4j.quant.layers;

import java.util.List;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FakeQuantizer;

/** A standalone fake-quant of its single input (the model-input quantizer); any shape. */
public final class FakeQuantLayer extends Layer {
  private final Quantizer rule;
  private FakeQuantizer quantizer;
  private Tensor out;
  private Tensor dx;

  public FakeQuantLayer(String name, Quantizer rule) {
    super(name);
    this.rule = rule;
  }

  public FakeQuantizer quantizer() {
    return quantizer;
  }

  @Override
  public String type() {
    return "FakeQuant";
  }

  @Override
  public int[] outputShape(int[]... in) {
    return single(in).clone();
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    quantizer = new FakeQuantizer(name() + "/quant", rule, 1);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    out = Tensor.reuse(out, in[0].shape());
    return quantizer.apply(in[0], out, ctx.training());
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx, boolean[] needInput) {
    return needInput[0] ? backward(g, ctx) : new Tensor[] {null};
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, g.shape());
    dx.copyFrom(g);
    quantizer.backward(dx);
    return new Tensor[] {dx};
  }

  @Override
  public com.google.gson.JsonObject config() {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.add("quantizer", QatLayers.json(rule, name()));
    return o;
  }

  @Override
  public List<Param> params() {
    return quantizer == null ? List.of() : quantizer.params();
  }
}
