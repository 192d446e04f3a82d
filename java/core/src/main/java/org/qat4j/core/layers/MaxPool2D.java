package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Max pooling on NHWC [N, H, W, C] → [N, OH, OW, C] over in-image taps (SAME padding never
 * contributes). Forward records each output's arg-max (the first maximal tap in row-major window
 * order) and backward routes the gradient there, so the input need not stay unchanged.
 */
public final class MaxPool2D extends Pool2D {
  private Tensor y;
  private Tensor dx;
  private int[] argmax;
  private float[] tap;
  private float[] tapBuf;
  private int batch;

  /** Pool of ph x pw with strides equal to the pool size and VALID padding. */
  public MaxPool2D(String name, int ph, int pw) {
    super(name, ph, pw);
  }

  public MaxPool2D strides(int sh, int sw) {
    setStrides(sh, sw);
    return this;
  }

  public MaxPool2D padding(Padding p) {
    setPadding(p);
    return this;
  }

  static MaxPool2D fromConfig(String name, JsonObject c) {
    int[][] ps = sizes(name, c);
    return new MaxPool2D(name, ps[0][0], ps[0][1])
        .strides(ps[1][0], ps[1][1])
        .padding(Padding.valueOf(Configs.str(c, "padding", "VALID")));
  }

  @Override
  public String type() {
    return "MaxPool2D";
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    int n = prepare(x);
    batch = n;
    ConvGeometry g = geo;
    y = Tensor.reuse(y, n, g.oh(), g.ow(), g.c());
    int perIn = g.h() * g.w() * g.c(), perOut = g.oh() * g.ow() * g.c();
    tap = null;
    if (Lanes.vector() && Pool2x2.fits(g)) return vectorForward(x, n, n * perOut, perIn);
    if (argmax == null || argmax.length != n * perOut) argmax = new int[n * perOut];
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    int[] idx = argmax;
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * perIn, 1 << 15),
        (lo, hi) -> {
          float[] s = new float[perIn], out = new float[perOut];
          for (int b = lo; b < hi; b++) {
            xb.get(b * perIn, s);
            for (int oy = 0; oy < g.oh(); oy++) {
              for (int ox = 0; ox < g.ow(); ox++) maxWindow(s, oy, ox, out, idx, b * perOut);
            }
            yb.put(b * perOut, out);
          }
        });
    return y;
  }

  /** True when the last forward ran on the Vector API (package-private: for tests). */
  boolean usedVectorPath() {
    return tap != null;
  }

  /** The 2×2 stride-2 pool on the Vector API: winning taps 0–3 per output instead of indices. */
  private Tensor vectorForward(Tensor x, int n, int outs, int perIn) {
    float[] t = tapBuf != null && tapBuf.length == outs ? tapBuf : new float[outs];
    tapBuf = t;
    ByteBuffer xb = x.bytes(), yb = y.bytes();
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * perIn, 1 << 15),
        (lo, hi) -> {
          for (int b = lo; b < hi; b++) MaxPoolVector.forward(xb, yb, t, b, geo);
        });
    tap = t;
    return y;
  }

  /**
   * Channel-vector max over one window and its in-sample arg-max (first maximal tap). A window
   * without in-image taps gives 0 and index -1.
   */
  void maxWindow(float[] s, int oy, int ox, float[] out, int[] idx, int base) {
    ConvGeometry g = geo;
    int c = g.c(), o = (oy * g.ow() + ox) * c, io = base + o;
    int y0 = tapLo(oy, g.sh(), g.padTop()), y1 = tapHi(oy, g.sh(), g.padTop(), g.kh(), g.h());
    int x0 = tapLo(ox, g.sw(), g.padLeft()), x1 = tapHi(ox, g.sw(), g.padLeft(), g.kw(), g.w());
    if (y1 <= y0 || x1 <= x0) {
      Arrays.fill(out, o, o + c, 0f);
      Arrays.fill(idx, io, io + c, -1);
      return;
    }
    int first = (y0 * g.w() + x0) * c;
    System.arraycopy(s, first, out, o, c);
    for (int ch = 0; ch < c; ch++) idx[io + ch] = first + ch;
    for (int iy = y0; iy < y1; iy++) {
      for (int ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
        int p = (iy * g.w() + ix) * c;
        for (int ch = 0; ch < c; ch++) {
          float v = s[p + ch], m = out[o + ch];
          // Select, not branch (random outcomes); Math.max lets a NaN through to the output.
          idx[io + ch] = v > m ? p + ch : idx[io + ch];
          out[o + ch] = Math.max(v, m);
        }
      }
    }
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    ConvGeometry g = geo;
    int n = batch, perIn = g.h() * g.w() * g.c(), perOut = g.oh() * g.ow() * g.c();
    dx = Tensor.reuse(dx, n, g.h(), g.w(), g.c());
    if (tap != null) {
      float[] t = tap;
      ByteBuffer gb = gy.bytes(), db = dx.bytes();
      Parallel.forRange(
          n,
          Parallel.grain(n, (long) n * perIn, 1 << 15),
          (lo, hi) -> {
            for (int b = lo; b < hi; b++) MaxPoolVector.backward(gb, db, t, b, g);
          });
      return new Tensor[] {dx};
    }
    FloatBuffer gb = gy.buffer(), db = dx.buffer();
    int[] idx = argmax;
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * perIn, 1 << 15),
        (lo, hi) -> {
          float[] d = new float[perIn], gs = new float[perOut];
          for (int b = lo; b < hi; b++) {
            gb.get(b * perOut, gs);
            Arrays.fill(d, 0f);
            for (int i = 0, io = b * perOut; i < perOut; i++, io++) {
              int p = idx[io];
              if (p >= 0) d[p] += gs[i];
            }
            db.put(b * perIn, d);
          }
        });
    return new Tensor[] {dx};
  }

  @Override
  public MaxPool2D copy() {
    return new MaxPool2D(name(), poolSize()[0], poolSize()[1])
        .strides(strides()[0], strides()[1])
        .padding(padding());
  }
}
