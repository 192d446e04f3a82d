package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * Depthwise 2-D convolution on NHWC input [N, H, W, C] → [N, OH, OW, C·mult], as direct loops.
 * Param "depthwise_kernel" is [kh, kw, C, mult] (He-normal, fan-in kh·kw), "bias" is [C·mult]
 * (zeros); output channel {@code c·mult + m} reads input channel c with kernel slice m.
 * Padding follows TFLite's arithmetic; the optional fused activation is applied last.
 */
public final class DepthwiseConv2D extends Layer {
  private final int[] kernelSize;
  private int multiplier = 1;
  private int[] strides = {1, 1};
  private int[] dilation = {1, 1};
  private Padding padding = Padding.VALID;
  private boolean useBias = true;
  private Activation activation = Activation.NONE;
  private Param kernel;
  private Param bias;
  private ConvGeometry geo;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;

  public DepthwiseConv2D(String name, int kh, int kw) {
    super(name);
    ConvGeometry.positive(name, "kernel size", kh, kw);
    kernelSize = new int[] {kh, kw};
  }

  public DepthwiseConv2D depthMultiplier(int m) { ConvGeometry.positive(name(), "depth multiplier", m); multiplier = m; return this; }
  public DepthwiseConv2D strides(int sh, int sw) { ConvGeometry.positive(name(), "strides", sh, sw); strides = new int[] {sh, sw}; return this; }
  public DepthwiseConv2D dilation(int dh, int dw) { ConvGeometry.positive(name(), "dilation", dh, dw); dilation = new int[] {dh, dw}; return this; }
  public DepthwiseConv2D padding(Padding p) { padding = Objects.requireNonNull(p); return this; }
  public DepthwiseConv2D useBias(boolean b) { useBias = b; return this; }
  public DepthwiseConv2D activation(Activation a) { activation = Objects.requireNonNull(a); return this; }

  static DepthwiseConv2D fromConfig(String name, JsonObject c) {
    int[] k = ConvGeometry.pair(Configs.ints(c, "kernel_size"), name, "kernel_size");
    int[] s = ConvGeometry.pair(c.has("strides") ? Configs.ints(c, "strides") : new int[] {1}, name, "strides");
    int[] d = ConvGeometry.pair(c.has("dilation_rate") ? Configs.ints(c, "dilation_rate") : new int[] {1}, name, "dilation_rate");
    return new DepthwiseConv2D(name, k[0], k[1]).depthMultiplier(Configs.integer(c, "depth_multiplier", 1))
        .strides(s[0], s[1]).dilation(d[0], d[1])
        .padding(Padding.valueOf(Configs.str(c, "padding", "VALID")))
        .useBias(Configs.bool(c, "use_bias", true))
        .activation(Activation.valueOf(Configs.str(c, "activation", "NONE")));
  }

  /** [kh, kw]. */
  public int[] kernelSize() { return kernelSize.clone(); }
  public int depthMultiplier() { return multiplier; }
  /** [stride_h, stride_w]. */
  public int[] strides() { return strides.clone(); }
  /** [dilation_h, dilation_w]. */
  public int[] dilation() { return dilation.clone(); }
  public Padding padding() { return padding; }
  public boolean hasBias() { return useBias; }
  public Activation activation() { return activation; }
  /** Kernel [kh, kw, in, mult]; null before build. */
  public Param kernel() { return kernel; }
  /** Bias [in·mult], or null without bias. */
  public Param bias() { return bias; }

  @Override public String type() { return "DepthwiseConv2D"; }

  private ConvGeometry geometry(int[] in) {
    return ConvGeometry.of(this, in, kernelSize[0], kernelSize[1], strides[0], strides[1], dilation[0], dilation[1], padding);
  }

  @Override public int[] outputShape(int[]... in) {
    ConvGeometry g = geometry(single(in));
    return new int[] {g.oh(), g.ow(), g.c() * multiplier};
  }

  @Override public void build(int[][] in, SplittableRandom rng) {
    int[] s = single(in);
    geo = geometry(s);
    kernel = new Param("depthwise_kernel", Init.heNormal(rng, kernelSize[0] * kernelSize[1], kernelSize[0], kernelSize[1], s[2], multiplier), true);
    if (useBias) bias = new Param("bias", Tensor.zeros(s[2] * multiplier), true);
  }

  @Override public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    if (geo == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    if (x.rank() != 4 || x.dim(1) != geo.h() || x.dim(2) != geo.w() || x.dim(3) != geo.c()) {
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, " + geo.h() + ", " + geo.w() + ", " + geo.c() + "], got " + x);
    }
    int n = x.dim(0), cm = geo.c() * multiplier;
    y = Tensor.reuse(y, n, geo.oh(), geo.ow(), cm);
    float[] w = kernel.value().toArray();
    float[] b = useBias ? bias.value().toArray() : new float[cm];
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    Parallel.forRange(n * geo.oh(), (lo, hi) -> {
      float[] px = new float[geo.c()];
      float[] row = new float[geo.ow() * cm];
      for (int r = lo; r < hi; r++) {
        forwardRow(xb, r / geo.oh(), r % geo.oh(), w, b, px, row);
        activation.apply(row, 0, row.length);
        yb.put(r * row.length, row);
      }
    });
    return y;
  }

  private void forwardRow(FloatBuffer xb, int bi, int oy, float[] w, float[] b, float[] px, float[] row) {
    int c = geo.c(), m = multiplier, cm = c * m;
    for (int ox = 0; ox < geo.ow(); ox++) {
      int o = ox * cm;
      System.arraycopy(b, 0, row, o, cm);
      for (int ky = 0; ky < geo.kh(); ky++) {
        int iy = oy * geo.sh() - geo.padTop() + ky * geo.dh();
        if (iy < 0 || iy >= geo.h()) continue;
        for (int kx = 0; kx < geo.kw(); kx++) {
          int ix = ox * geo.sw() - geo.padLeft() + kx * geo.dw();
          if (ix < 0 || ix >= geo.w()) continue;
          xb.get(((bi * geo.h() + iy) * geo.w() + ix) * c, px);
          int wo = (ky * geo.kw() + kx) * cm;
          if (m == 1) {
            for (int j = 0; j < c; j++) row[o + j] += px[j] * w[wo + j];
          } else {
            for (int j = 0; j < cm; j++) row[o + j] += px[j / m] * w[wo + j];
          }
        }
      }
    }
  }

  @Override public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int n = x.dim(0), cm = geo.c() * multiplier, taps = geo.kh() * geo.kw();
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    dx = Tensor.reuse(dx, x.shape());
    float[] w = kernel.value().toArray();
    int chunks = Parallel.chunks(n);
    float[][] dw = new float[chunks][taps * cm];
    float[][] db = new float[chunks][cm];
    FloatBuffer xb = x.buffer(), gb = g.buffer(), dxb = dx.buffer();
    Parallel.forRange(n, chunks, (lo, hi) -> {
      int ci = Reductions.chunkOf(lo, n, chunks);
      float[] sx = new float[geo.h() * geo.w() * geo.c()];
      float[] sdx = new float[sx.length];
      float[] grow = new float[geo.ow() * cm];
      for (int bi = lo; bi < hi; bi++) {
        xb.get(bi * sx.length, sx);
        java.util.Arrays.fill(sdx, 0f);
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

  private void backwardRow(int oy, float[] grow, float[] sx, float[] sdx, float[] w, float[] dw, float[] db) {
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
          for (int j = 0; j < cm; j++) {
            float gv = grow[o + j];
            dw[wo + j] += gv * sx[xo + j / m];
            sdx[xo + j / m] += gv * w[wo + j];
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

  @Override public List<Param> params() {
    List<Param> l = new ArrayList<>();
    if (kernel != null) l.add(kernel);
    if (bias != null) l.add(bias);
    return l;
  }

  @Override public JsonObject config() {
    JsonObject o = new JsonObject();
    o.add("kernel_size", Configs.array(kernelSize));
    o.addProperty("depth_multiplier", multiplier);
    o.add("strides", Configs.array(strides));
    o.add("dilation_rate", Configs.array(dilation));
    o.addProperty("padding", padding.name());
    o.addProperty("use_bias", useBias);
    o.addProperty("activation", activation.name());
    return o;
  }
}
