package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/** Elementwise sum of two or more inputs of identical shape (residual connections). */
public final class Add extends Variadic {
  private static final int BLOCK = 4096;

  private Tensor y;
  private Tensor[] dx = new Tensor[0];

  public Add(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Add";
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    checkInputs(in);
    if (dx.length != in.length) dx = new Tensor[in.length];
    y = Tensor.reuse(y, in[0].shape());
    FloatBuffer yb = y.buffer();
    Parallel.forRange(
        y.size(),
        (lo, hi) -> {
          // heap blocks: bulk copies in and out, and an add loop the JIT vectorizes
          float[] acc = new float[Math.min(BLOCK, hi - lo)], v = new float[acc.length];
          for (int o = lo; o < hi; o += BLOCK) {
            int len = Math.min(BLOCK, hi - o);
            in[0].buffer().get(o, acc, 0, len);
            for (int k = 1; k < in.length; k++) {
              in[k].buffer().get(o, v, 0, len);
              for (int i = 0; i < len; i++) acc[i] += v[i];
            }
            yb.put(o, acc, 0, len);
          }
        });
    return y;
  }

  /** Every input receives a private copy of the output gradient (consumers may modify theirs). */
  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    for (int i = 0; i < dx.length; i++) {
      dx[i] = Tensor.reuse(dx[i], g.shape());
      dx[i].copyFrom(g);
    }
    return dx.clone();
  }

  @Override
  public Add copy() {
    return new Add(name());
  }
}
