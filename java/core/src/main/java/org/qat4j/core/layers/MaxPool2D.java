package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * Max pooling on NHWC [N, H, W, C] → [N, OH, OW, C] over in-image taps (SAME padding never
 * contributes). Backward routes each gradient to the first maximal tap of its window.
 */
public final class MaxPool2D extends Pool2D {
  private Tensor y;
  private Tensor dx;
  private int[] argmax;
  private int[] inShape;

  /** Pool of ph x pw with strides equal to the pool size and VALID padding. */
  public MaxPool2D(String name, int ph, int pw) { super(name, ph, pw); }

  public MaxPool2D strides(int sh, int sw) { setStrides(sh, sw); return this; }
  public MaxPool2D padding(Padding p) { setPadding(p); return this; }

  static MaxPool2D fromConfig(String name, JsonObject c) {
    int[][] ps = sizes(name, c);
    return new MaxPool2D(name, ps[0][0], ps[0][1]).strides(ps[1][0], ps[1][1])
        .padding(Padding.valueOf(Configs.str(c, "padding", "VALID")));
  }

  @Override public String type() { return "MaxPool2D"; }

  @Override public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int n = prepare(x);
    inShape = x.shape();
    ConvGeometry g = geo;
    y = Tensor.reuse(y, n, g.oh(), g.ow(), g.c());
    if (argmax == null || argmax.length != y.size()) argmax = new int[y.size()];
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(n * g.oh(), (lo, hi) -> {
      float[] row = new float[g.w() * g.c()], out = new float[g.ow() * g.c()];
      for (int r = lo; r < hi; r++) poolRow(xb, r / g.oh(), r % g.oh(), row, out, yb);
    });
    return y;
  }

  private void poolRow(FloatBuffer xb, int b, int oy, float[] row, float[] out, FloatBuffer yb) {
    ConvGeometry g = geo;
    int c = g.c(), ob = (b * g.oh() + oy) * g.ow() * c;
    java.util.Arrays.fill(out, Float.NEGATIVE_INFINITY);
    java.util.Arrays.fill(argmax, ob, ob + out.length, -1);
    for (int ky = 0; ky < g.kh(); ky++) {
      int iy = oy * g.sh() - g.padTop() + ky;
      if (iy < 0 || iy >= g.h()) continue;
      int rowBase = (b * g.h() + iy) * g.w() * c;
      xb.get(rowBase, row);
      for (int ox = 0; ox < g.ow(); ox++) {
        for (int kx = 0; kx < g.kw(); kx++) {
          int ix = ox * g.sw() - g.padLeft() + kx;
          if (ix < 0 || ix >= g.w()) continue;
          for (int ch = 0, xo = ix * c, o = ox * c; ch < c; ch++) {
            float v = row[xo + ch];
            if (v > out[o + ch] || argmax[ob + o + ch] < 0) { out[o + ch] = v; argmax[ob + o + ch] = rowBase + xo + ch; }
          }
        }
      }
    }
    for (int i = 0; i < out.length; i++) if (argmax[ob + i] < 0) out[i] = 0f;
    yb.put(ob, out);
  }

  @Override public Tensor[] backward(Tensor gy, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    int n = inShape[0], perIn = dx.size() / n, perOut = gy.size() / n;
    FloatBuffer gb = gy.buffer(), db = dx.buffer();
    Parallel.forRange(n, (lo, hi) -> {
      float[] d = new float[perIn], gv = new float[perOut];
      for (int b = lo; b < hi; b++) {
        java.util.Arrays.fill(d, 0f);
        gb.get(b * perOut, gv);
        int base = b * perIn;
        for (int i = 0; i < perOut; i++) {
          int a = argmax[b * perOut + i];
          if (a >= 0) d[a - base] += gv[i];
        }
        db.put(base, d);
      }
    });
    return new Tensor[] {dx};
  }
}
