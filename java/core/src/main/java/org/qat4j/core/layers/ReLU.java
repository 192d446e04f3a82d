package org.qat4j.core.layers;

import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/** Standalone ReLU: y = max(x, 0), any shape. */
public final class ReLU extends Layer {
  private Tensor y;
  private Tensor dx;

  public ReLU(String name) { super(name); }

  @Override public String type() { return "ReLU"; }
  @Override public int[] outputShape(int[]... in) { return single(in).clone(); }

  @Override public Tensor forward(Tensor[] in, ExecContext ctx) {
    y = Tensor.reuse(y, in[0].shape());
    var a = in[0].buffer();
    var b = y.buffer();
    for (int i = 0, n = y.size(); i < n; i++) b.put(i, Math.max(a.get(i), 0f));
    return y;
  }

  @Override public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, g.shape());
    var yb = y.buffer();
    var gb = g.buffer();
    var d = dx.buffer();
    for (int i = 0, n = g.size(); i < n; i++) d.put(i, yb.get(i) > 0f ? gb.get(i) : 0f);
    return new Tensor[] {dx};
  }
}
