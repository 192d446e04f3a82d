package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Depthwise 2-D convolution on NHWC input [N, H, W, C] → [N, OH, OW, C·mult], as direct loops.
 * Param "depthwise_kernel" is [kh, kw, C, mult] (He-normal, fan-in kh·kw), "bias" is [C·mult]
 * (zeros); output channel {@code c·mult + m} reads input channel c with kernel slice m. Padding
 * follows TFLite's arithmetic; the optional fused activation is applied last.
 */
public final class DepthwiseConv2D extends ConvBase<DepthwiseConv2D> {
  private int multiplier = 1;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;

  public DepthwiseConv2D(String name, int kh, int kw) {
    super(name, kh, kw);
  }

  @Override
  DepthwiseConv2D self() {
    return this;
  }

  // per-channel fan-in kh·kw: each output sees one input channel
  @Override
  Initializer defaultInitializer() {
    return Initializer.heNormal();
  }

  public DepthwiseConv2D depthMultiplier(int m) {
    ConvGeometry.positive(name(), "depth multiplier", m);
    multiplier = m;
    return this;
  }

  static DepthwiseConv2D fromConfig(String name, JsonObject c) {
    int[] k = ConvGeometry.pair(Configs.ints(c, "kernel_size"), name, "kernel_size");
    return withCommonConfig(
        new DepthwiseConv2D(name, k[0], k[1])
            .depthMultiplier(Configs.integer(c, "depth_multiplier", 1)),
        c);
  }

  public int depthMultiplier() {
    return multiplier;
  }

  @Override
  public String type() {
    return "DepthwiseConv2D";
  }

  @Override
  public int[] outputShape(int[]... in) {
    ConvGeometry g = geometry(single(in));
    return new int[] {g.oh(), g.ow(), g.c() * multiplier};
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int[] s = single(in);
    geo = geometry(s);
    kernel =
        new Param(
            "depthwise_kernel",
            kernelInit.sample(
                rng,
                kernelSize[0] * kernelSize[1],
                kernelSize[0] * kernelSize[1] * multiplier,
                kernelSize[0],
                kernelSize[1],
                s[2],
                multiplier),
            true);
    if (useBias) bias = new Param("bias", Tensor.zeros(s[2] * multiplier), true);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    checkInput(x);
    int n = x.dim(0), cm = geo.c() * multiplier;
    y = Tensor.reuse(y, n, geo.oh(), geo.ow(), cm);
    float[] w = kernel.value().toArray();
    float[] b = useBias ? bias.value().toArray() : new float[cm];
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    float[][] tiled = multiplier == 1 && geo.sw() == 1 ? tileAlongRow(w) : null;
    Parallel.forRange(
        n * geo.oh(),
        (lo, hi) -> {
          float[][] rows = new float[geo.kh()][geo.w() * geo.c()];
          float[] row = new float[geo.ow() * cm];
          for (int r = lo; r < hi; r++) {
            forwardRow(xb, r / geo.oh(), r % geo.oh(), w, b, tiled, rows, row);
            activation.apply(row, 0, row.length);
            yb.put(r * row.length, row);
          }
        });
    return y;
  }

  /** Per tap, its weight vector repeated for every output column: [taps][ow·c] (multiplier 1). */
  private float[][] tileAlongRow(float[] w) {
    int c = geo.c(), taps = geo.kh() * geo.kw();
    float[][] t = new float[taps][geo.ow() * c];
    for (int k = 0; k < taps; k++) {
      for (int ox = 0; ox < geo.ow(); ox++) System.arraycopy(w, k * c, t[k], ox * c, c);
    }
    return t;
  }

  /**
   * One output row: the kh input rows it reads are copied to the heap once (bulk), then each tap
   * adds its channel vector for every output column (the channel loop vectorizes). With stride 1
   * and multiplier 1 the columns a tap reaches are contiguous in both rows, so {@code tiled}
   * weights turn the tap into one long loop. Every output sums its taps in (ky, kx) order.
   */
  private void forwardRow(
      FloatBuffer xb,
      int bi,
      int oy,
      float[] w,
      float[] b,
      float[][] tiled,
      float[][] in,
      float[] row) {
    int c = geo.c(), m = multiplier, cm = c * m, wc = geo.w() * c;
    for (int ox = 0; ox < geo.ow(); ox++) System.arraycopy(b, 0, row, ox * cm, cm);
    for (int ky = 0; ky < geo.kh(); ky++) {
      int iy = oy * geo.sh() - geo.padTop() + ky * geo.dh();
      if (iy < 0 || iy >= geo.h()) continue;
      float[] src = in[ky];
      xb.get((bi * geo.h() + iy) * wc, src, 0, wc);
      for (int kx = 0; kx < geo.kw(); kx++) {
        int wo = (ky * geo.kw() + kx) * cm;
        if (tiled != null) {
          addTapStride1(src, tiled[ky * geo.kw() + kx], kx, row);
          continue;
        }
        for (int ox = 0; ox < geo.ow(); ox++) {
          int ix = ox * geo.sw() - geo.padLeft() + kx * geo.dw();
          if (ix < 0 || ix >= geo.w()) continue;
          int o = ox * cm, xo = ix * c;
          if (m == 1) {
            for (int j = 0; j < c; j++) row[o + j] += src[xo + j] * w[wo + j];
          } else {
            for (int ci = 0; ci < c; ci++) {
              float v = src[xo + ci];
              for (int k = 0, j = ci * m; k < m; k++, j++) row[o + j] += v * w[wo + j];
            }
          }
        }
      }
    }
  }

  /**
   * row[ox·c + j] += src[(ox − padLeft + kx·dw)·c + j] · w[j] over the columns whose input exists.
   */
  private void addTapStride1(float[] src, float[] tw, int kx, float[] row) {
    int c = geo.c(), off = kx * geo.dw() - geo.padLeft();
    int lo = Math.max(0, -off), hi = Math.min(geo.ow(), geo.w() - off);
    int shift = off * c;
    for (int t = lo * c, end = hi * c; t < end; t++) row[t] += src[t + shift] * tw[t];
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int n = x.dim(0), cm = geo.c() * multiplier, taps = geo.kh() * geo.kw();
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    dx = Tensor.reuse(dx, x.shape());
    float[] w = kernel.value().toArray();
    int chunks = Parallel.chunks(n);
    float[][] dw = new float[chunks][taps * cm];
    float[][] db = new float[chunks][cm];
    FloatBuffer xb = x.buffer(), gb = g.buffer(), dxb = dx.buffer();
    Parallel.forRange(
        n,
        chunks,
        (lo, hi) -> {
          int ci = Parallel.chunkOf(lo, n, chunks);
          float[] sx = new float[geo.h() * geo.w() * geo.c()];
          float[] sdx = new float[sx.length];
          float[] grow = new float[geo.ow() * cm];
          for (int bi = lo; bi < hi; bi++) {
            xb.get(bi * sx.length, sx);
            Arrays.fill(sdx, 0f);
            for (int oy = 0; oy < geo.oh(); oy++) {
              gb.get(((bi * geo.oh()) + oy) * grow.length, grow);
              backwardRow(oy, grow, sx, sdx, w, dw[ci], db[ci]);
            }
            dxb.put(bi * sdx.length, sdx);
          }
        });
    combine(dw, kernel.grad());
    if (useBias) combine(db, bias.grad());
    return new Tensor[] {dx};
  }

  private void backwardRow(
      int oy, float[] grow, float[] sx, float[] sdx, float[] w, float[] dw, float[] db) {
    int c = geo.c(), m = multiplier, cm = c * m;
    for (int ox = 0; ox < geo.ow(); ox++) {
      int o = ox * cm;
      for (int j = 0; j < cm; j++) db[j] += grow[o + j];
      for (int ky = 0; ky < geo.kh(); ky++) {
        int iy = oy * geo.sh() - geo.padTop() + ky * geo.dh();
        if (iy < 0 || iy >= geo.h()) continue;
        for (int kx = 0; kx < geo.kw(); kx++) {
          int ix = ox * geo.sw() - geo.padLeft() + kx * geo.dw();
          if (ix < 0 || ix >= geo.w()) continue;
          int xo = (iy * geo.w() + ix) * c, wo = (ky * geo.kw() + kx) * cm;
          if (m == 1) {
            // separate loops over the channel vector so that each one vectorizes
            for (int j = 0; j < c; j++) dw[wo + j] += grow[o + j] * sx[xo + j];
            for (int j = 0; j < c; j++) sdx[xo + j] += grow[o + j] * w[wo + j];
          } else {
            for (int ci = 0; ci < c; ci++) {
              float xv = sx[xo + ci], acc = 0f;
              for (int k = 0, j = ci * m; k < m; k++, j++) {
                dw[wo + j] += grow[o + j] * xv;
                acc += grow[o + j] * w[wo + j];
              }
              sdx[xo + ci] += acc;
            }
          }
        }
      }
    }
  }

  /** Sums per-chunk partials in chunk order into {@code out}. */
  static void combine(float[][] parts, Tensor out) {
    FloatBuffer ob = out.buffer();
    for (int i = 0; i < parts[0].length; i++) {
      double s = 0;
      for (float[] p : parts) s += p[i];
      ob.put(i, (float) s);
    }
  }

  @Override
  public JsonObject config() {
    JsonObject o = new JsonObject();
    o.addProperty("depth_multiplier", multiplier);
    return commonConfig(o);
  }

  @Override
  DepthwiseConv2D fresh() {
    return new DepthwiseConv2D(name(), kernelSize[0], kernelSize[1]).depthMultiplier(multiplier);
  }

  @Override
  public <R> R accept(Visitor<R> v) {
    return v.depthwise(this);
  }
}
