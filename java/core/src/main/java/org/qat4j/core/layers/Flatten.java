package org.qat4j.core.layers;

import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;

/**
 * Flattens each sample to one axis: [N, d1, ..., dk] → [N, d1·...·dk] in row-major (NHWC) order; a
 * view, no copy.
 */
public final class Flatten extends Layer {
  private int[] inShape;

  public Flatten(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Flatten";
  }

  @Override
  public int[] outputShape(int[]... in) {
    return new int[] {Shapes.size(single(in))};
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    inShape = x.shape();
    return x.reshape(x.dim(0), x.size() / Math.max(x.dim(0), 1));
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    return new Tensor[] {g.reshape(inShape)};
  }

  @Override
  public Flatten copy() {
    return new Flatten(name());
  }
}
