package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Base of shape-preserving elementwise layers: runs the subclass's array kernels over contiguous
 * blocks copied from native storage, in parallel chunks. Keeps x and y of the last forward.
 */
abstract class Unary extends Layer {
  private static final int BLOCK = 4096;
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  Unary(String name) {
    super(name);
  }

  /** y[i] = f(x[i]) for i in [0, n). */
  abstract void forward(float[] x, float[] y, int n);

  /** g[i] ← g[i]·f'(x[i]) for i in [0, n), given x and y = f(x). */
  abstract void backward(float[] x, float[] y, float[] g, int n);

  /**
   * As {@link #forward(float[], float[], int)} for the block starting at flat element {@code at}; a
   * layer whose function depends on the element's position (e.g. its channel) overrides this.
   */
  void forward(float[] x, float[] y, int n, int at) {
    forward(x, y, n);
  }

  /** As {@link #backward(float[], float[], float[], int)} for the block starting at {@code at}. */
  void backward(float[] x, float[] y, float[] g, int n, int at) {
    backward(x, y, g, n);
  }

  /** True when {@link #backward(float[], float[], float[], int)} reads x (else x is not loaded). */
  boolean backwardNeedsX() {
    return true;
  }

  @Override
  public int[] outputShape(int[]... in) {
    return single(in).clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    y = Tensor.reuse(y, x.shape());
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(
        x.size(),
        Parallel.grain(x.size(), x.size(), 1 << 15),
        (lo, hi) -> {
          float[] a = new float[Math.min(BLOCK, hi - lo)], b = new float[a.length];
          for (int o = lo; o < hi; o += a.length) {
            int len = Math.min(a.length, hi - o);
            xb.get(o, a, 0, len);
            forward(a, b, len, o);
            yb.put(o, b, 0, len);
          }
        });
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, g.shape());
    FloatBuffer xb = x.buffer(), yb = y.buffer(), gb = g.buffer(), db = dx.buffer();
    boolean needX = backwardNeedsX();
    Parallel.forRange(
        g.size(),
        Parallel.grain(g.size(), g.size(), 1 << 15),
        (lo, hi) -> {
          int blk = Math.min(BLOCK, hi - lo);
          float[] a = new float[blk], b = new float[blk], d = new float[blk];
          for (int o = lo; o < hi; o += blk) {
            int len = Math.min(blk, hi - o);
            if (needX) xb.get(o, a, 0, len);
            yb.get(o, b, 0, len);
            gb.get(o, d, 0, len);
            backward(a, b, d, len, o);
            db.put(o, d, 0, len);
          }
        });
    return new Tensor[] {dx};
  }
}
