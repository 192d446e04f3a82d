package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * Max pooling on NHWC [N, H, W, C] → [N, OH, OW, C] over in-image taps (SAME padding never
 * contributes). Backward routes each gradient to the first maximal tap of its window (row-major
 * window order). Keeps a reference to the last input, which must stay unchanged until backward.
 */
public final class MaxPool2D extends Pool2D {
  private Tensor x;
  private Tensor y;
  private Tensor dx;

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
    x = in[0];
    int n = prepare(x);
    ConvGeometry g = geo;
    y = Tensor.reuse(y, n, g.oh(), g.ow(), g.c());
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    int perIn = g.h() * g.w() * g.c(), perOut = g.oh() * g.ow() * g.c();
    Parallel.forRange(n, (lo, hi) -> {
      float[] s = new float[perIn], out = new float[perOut];
      for (int b = lo; b < hi; b++) {
        xb.get(b * perIn, s);
        for (int oy = 0; oy < g.oh(); oy++) {
          for (int ox = 0; ox < g.ow(); ox++) maxWindow(s, oy, ox, out);
        }
        yb.put(b * perOut, out);
      }
    });
    return y;
  }

  /** Channel-vector max over one window (0 for a window without in-image taps). */
  private void maxWindow(float[] s, int oy, int ox, float[] out) {
    ConvGeometry g = geo;
    int c = g.c(), o = (oy * g.ow() + ox) * c;
    int y0 = Math.max(oy * g.sh() - g.padTop(), 0), y1 = Math.min(oy * g.sh() - g.padTop() + g.kh(), g.h());
    int x0 = Math.max(ox * g.sw() - g.padLeft(), 0), x1 = Math.min(ox * g.sw() - g.padLeft() + g.kw(), g.w());
    Arrays.fill(out, o, o + c, y1 > y0 && x1 > x0 ? Float.NEGATIVE_INFINITY : 0f);
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = x0; ix < x1; ix++) {
        int p = (iy * g.w() + ix) * c;
        for (int ch = 0; ch < c; ch++) out[o + ch] = Math.max(out[o + ch], s[p + ch]);
      }
    }
  }

  @Override public Tensor[] backward(Tensor gy, ExecContext ctx) {
    ConvGeometry g = geo;
    int n = x.dim(0), perIn = g.h() * g.w() * g.c(), perOut = g.oh() * g.ow() * g.c();
    dx = Tensor.reuse(dx, x.shape());
    FloatBuffer xb = x.buffer(), yb = y.buffer(), gb = gy.buffer(), db = dx.buffer();
    Parallel.forRange(n, (lo, hi) -> {
      float[] s = new float[perIn], d = new float[perIn], ys = new float[perOut], gs = new float[perOut];
      for (int b = lo; b < hi; b++) {
        xb.get(b * perIn, s);
        yb.get(b * perOut, ys);
        gb.get(b * perOut, gs);
        Arrays.fill(d, 0f);
        for (int oy = 0; oy < g.oh(); oy++) {
          for (int ox = 0; ox < g.ow(); ox++) routeWindow(s, ys, gs, d, oy, ox);
        }
        db.put(b * perIn, d);
      }
    });
    return new Tensor[] {dx};
  }

  /** Adds each channel's gradient to the first in-image tap (row-major) equal to the window max. */
  private void routeWindow(float[] s, float[] ys, float[] gs, float[] d, int oy, int ox) {
    ConvGeometry g = geo;
    int c = g.c(), o = (oy * g.ow() + ox) * c, w = g.w();
    int y0 = Math.max(oy * g.sh() - g.padTop(), 0), y1 = Math.min(oy * g.sh() - g.padTop() + g.kh(), g.h());
    int x0 = Math.max(ox * g.sw() - g.padLeft(), 0), x1 = Math.min(ox * g.sw() - g.padLeft() + g.kw(), w);
    for (int ch = 0; ch < c; ch++) {
      float m = ys[o + ch];
      search:
      for (int iy = y0; iy < y1; iy++) {
        for (int p = (iy * w + x0) * c + ch, end = (iy * w + x1) * c; p < end; p += c) {
          if (s[p] == m) { d[p] += gs[o + ch]; break search; }
        }
      }
    }
  }
}
