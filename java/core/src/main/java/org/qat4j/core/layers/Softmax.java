package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Softmax over the last axis, any rank: y = exp(x − max)/Σ exp(x − max) (the max shift keeps it
 * finite for any finite input). For training prefer the fused softmax cross-entropy loss on logits.
 */
public final class Softmax extends Layer {
  private Tensor y;
  private Tensor dx;

  public Softmax(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "Softmax";
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length == 0) throw shapeError("expects at least one axis, got []");
    return s.clone();
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int k = x.dim(-1), rows = x.size() / k;
    y = Tensor.reuse(y, x.shape());
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(
        rows,
        (lo, hi) -> {
          float[] v = new float[k];
          for (int r = lo; r < hi; r++) {
            xb.get(r * k, v);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, v[j]);
            double sum = 0;
            for (int j = 0; j < k; j++) {
              v[j] = (float) Math.exp(v[j] - max);
              sum += v[j];
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < k; j++) v[j] *= inv;
            yb.put(r * k, v);
          }
        });
    return y;
  }

  /** dx = y ⊙ (g − Σ g·y) per row. */
  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    int k = y.dim(-1), rows = y.size() / k;
    dx = Tensor.reuse(dx, y.shape());
    FloatBuffer yb = y.buffer(), gb = g.buffer(), db = dx.buffer();
    Parallel.forRange(
        rows,
        (lo, hi) -> {
          float[] vy = new float[k], vg = new float[k];
          for (int r = lo; r < hi; r++) {
            yb.get(r * k, vy);
            gb.get(r * k, vg);
            double dot = 0;
            for (int j = 0; j < k; j++) dot += (double) vg[j] * vy[j];
            for (int j = 0; j < k; j++) vg[j] = vy[j] * (float) (vg[j] - dot);
            db.put(r * k, vg);
          }
        });
    return new Tensor[] {dx};
  }

  @Override
  public Softmax copy() {
    return new Softmax(name());
  }
}
