package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/** Mean over height and width: NHWC [N, H, W, C] → [N, C] (TFLite MEAN over axes 1, 2). */
public final class GlobalAveragePooling2D extends GlobalPool2D {
  private Tensor y;
  private Tensor dx;
  private int[] inShape;

  public GlobalAveragePooling2D(String name) {
    super(name);
  }

  @Override
  public String type() {
    return "GlobalAveragePooling2D";
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    inShape = Images.batch(this, x);
    int n = inShape[0], hw = inShape[1] * inShape[2], c = inShape[3];
    y = Tensor.reuse(y, n, c);
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(
        n,
        (lo, hi) -> {
          float[] s = new float[hw * c];
          double[] acc = new double[c];
          for (int b = lo; b < hi; b++) {
            xb.get(b * s.length, s);
            Arrays.fill(acc, 0);
            for (int p = 0; p < hw; p++) for (int ch = 0; ch < c; ch++) acc[ch] += s[p * c + ch];
            for (int ch = 0; ch < c; ch++) yb.put(b * c + ch, (float) (acc[ch] / hw));
          }
        });
    return y;
  }

  @Override
  public Tensor[] backward(Tensor g, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    int n = inShape[0], hw = inShape[1] * inShape[2], c = inShape[3];
    FloatBuffer gb = g.buffer(), db = dx.buffer();
    Parallel.forRange(
        n,
        (lo, hi) -> {
          float[] d = new float[hw * c], gv = new float[c];
          for (int b = lo; b < hi; b++) {
            gb.get(b * c, gv);
            for (int ch = 0; ch < c; ch++) gv[ch] /= hw;
            for (int p = 0; p < hw; p++) System.arraycopy(gv, 0, d, p * c, c);
            db.put(b * d.length, d);
          }
        });
    return new Tensor[] {dx};
  }

  @Override
  public GlobalAveragePooling2D copy() {
    return new GlobalAveragePooling2D(name());
  }
}
