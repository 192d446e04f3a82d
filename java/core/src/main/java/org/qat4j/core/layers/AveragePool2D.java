package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Average pooling on NHWC [N, H, W, C] → [N, OH, OW, C]. Each window averages only its in-image
 * taps (with SAME padding, border windows divide by fewer than pool_h·pool_w), as TFLite does.
 */
public final class AveragePool2D extends Pool2D {
  private Tensor y;
  private Tensor dx;
  private int[] inShape;

  /** Pool of ph x pw with strides equal to the pool size and VALID padding. */
  public AveragePool2D(String name, int ph, int pw) {
    super(name, ph, pw);
  }

  public AveragePool2D strides(int sh, int sw) {
    setStrides(sh, sw);
    return this;
  }

  public AveragePool2D padding(Padding p) {
    setPadding(p);
    return this;
  }

  static AveragePool2D fromConfig(String name, JsonObject c) {
    int[][] ps = sizes(name, c);
    return new AveragePool2D(name, ps[0][0], ps[0][1])
        .strides(ps[1][0], ps[1][1])
        .padding(Padding.valueOf(Configs.str(c, "padding", "VALID")));
  }

  @Override
  public String type() {
    return "AveragePool2D";
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int n = prepare(x);
    inShape = x.shape();
    ConvGeometry g = geo;
    int c = g.c();
    y = Tensor.reuse(y, n, g.oh(), g.ow(), c);
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(
        n,
        (b0, b1) -> {
          float[] s = new float[g.h() * g.w() * c], out = new float[g.oh() * g.ow() * c];
          for (int b = b0; b < b1; b++) {
            xb.get(b * s.length, s);
            java.util.Arrays.fill(out, 0f);
            for (int oy = 0; oy < g.oh(); oy++) {
              int y0 = tapLo(oy, g.sh(), g.padTop()),
                  y1 = tapHi(oy, g.sh(), g.padTop(), g.kh(), g.h());
              for (int ox = 0; ox < g.ow(); ox++) {
                int x0 = tapLo(ox, g.sw(), g.padLeft()),
                    x1 = tapHi(ox, g.sw(), g.padLeft(), g.kw(), g.w());
                int o = (oy * g.ow() + ox) * c;
                for (int iy = y0; iy < y1; iy++) {
                  for (int ix = x0; ix < x1; ix++) {
                    for (int ch = 0, xo = (iy * g.w() + ix) * c; ch < c; ch++)
                      out[o + ch] += s[xo + ch];
                  }
                }
                int cnt = Math.max((y1 - y0) * (x1 - x0), 1);
                for (int ch = 0; ch < c; ch++) out[o + ch] /= cnt;
              }
            }
            yb.put(b * out.length, out);
          }
        });
    return y;
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    dx = Tensor.reuse(dx, inShape);
    ConvGeometry g = geo;
    int n = inShape[0], c = g.c();
    FloatBuffer gb = gy.buffer(), db = dx.buffer();
    Parallel.forRange(
        n,
        (b0, b1) -> {
          float[] d = new float[g.h() * g.w() * c], gv = new float[g.oh() * g.ow() * c];
          for (int b = b0; b < b1; b++) {
            gb.get(b * gv.length, gv);
            java.util.Arrays.fill(d, 0f);
            for (int oy = 0; oy < g.oh(); oy++) {
              int y0 = tapLo(oy, g.sh(), g.padTop()),
                  y1 = tapHi(oy, g.sh(), g.padTop(), g.kh(), g.h());
              for (int ox = 0; ox < g.ow(); ox++) {
                int x0 = tapLo(ox, g.sw(), g.padLeft()),
                    x1 = tapHi(ox, g.sw(), g.padLeft(), g.kw(), g.w());
                int o = (oy * g.ow() + ox) * c;
                float inv = 1f / Math.max((y1 - y0) * (x1 - x0), 1);
                for (int iy = y0; iy < y1; iy++) {
                  for (int ix = x0; ix < x1; ix++) {
                    for (int ch = 0, xo = (iy * g.w() + ix) * c; ch < c; ch++)
                      d[xo + ch] += gv[o + ch] * inv;
                  }
                }
              }
            }
            db.put(b * d.length, d);
          }
        });
    return new Tensor[] {dx};
  }

  @Override
  public AveragePool2D copy() {
    return new AveragePool2D(name(), poolSize()[0], poolSize()[1])
        .strides(strides()[0], strides()[1])
        .padding(padding());
  }
}
