package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Transposed 2-D convolution on NHWC input [N, H, W, C] → [N, OH, OW, filters]: every input pixel
 * adds its kernel-weighted copy at (y·stride − pad + ky, x·stride − pad + kx) (TFLite
 * TRANSPOSE_CONV). Output size as Keras: SAME H·stride, VALID H·stride + max(kh − stride, 0); the
 * padding is that of the convolution from the output back to the input. Kernel "kernel" is [kh, kw,
 * in, filters] (Keras stores [kh, kw, filters, in]; the importer transposes), Glorot-uniform; bias
 * "bias" [filters]. Dilation must be 1; the fused activation is applied last.
 */
public final class Conv2DTranspose extends FilterConv<Conv2DTranspose> {
  private int h, w, c, oh, ow, padTop, padLeft, batch;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;

  /**
   * A transposed convolution to {@code filters} channels with a kh × kw window; stride 1, VALID.
   */
  public Conv2DTranspose(String name, int filters, int kh, int kw) {
    super(name, filters, kh, kw);
  }

  @Override
  Conv2DTranspose self() {
    return this;
  }

  static Conv2DTranspose fromConfig(String name, JsonObject c) {
    return fromConfig(name, c, Conv2DTranspose::new);
  }

  @Override
  public String type() {
    return "Conv2DTranspose";
  }

  /** Output size of one spatial dimension (Keras deconv_output_length without output_padding). */
  int outSize(int in, int k, int s) {
    return padding == Padding.SAME ? in * s : in * s + Math.max(k - s, 0);
  }

  @Override
  public int[] outputShape(int[]... in) {
    int[] s = Images.shape(this, single(in));
    if (dilation[0] != 1 || dilation[1] != 1)
      throw new ShapeException(name(), "dilation must be 1, got " + Arrays.toString(dilation));
    return new int[] {
      outSize(s[0], kernelSize[0], strides[0]), outSize(s[1], kernelSize[1], strides[1]), filters
    };
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int[] o = outputShape(in);
    int[] s = single(in);
    h = s[0];
    w = s[1];
    c = s[2];
    oh = o[0];
    ow = o[1];
    padTop = Math.max((h - 1) * strides[0] + kernelSize[0] - oh, 0) / 2;
    padLeft = Math.max((w - 1) * strides[1] + kernelSize[1] - ow, 0) / 2;
    int area = kernelSize[0] * kernelSize[1];
    kernel =
        new Param(
            "kernel",
            kernelInit.sample(
                rng, area * filters, area * c, kernelSize[0], kernelSize[1], c, filters),
            true);
    if (useBias) bias = new Param("bias", Tensor.zeros(filters), true);
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    x = in[0];
    if (kernel == null) throw new IllegalStateException("layer '" + name() + "' is not built");
    if (x.rank() != 4 || x.dim(1) != h || x.dim(2) != w || x.dim(3) != c)
      throw new IllegalArgumentException(
          "layer '" + name() + "' expects [N, " + h + ", " + w + ", " + c + "], got " + x);
    batch = x.dim(0);
    y = Tensor.reuse(y, batch, oh, ow, filters);
    FloatBuffer yb = y.buffer();
    float[] xv = x.toArray(), k = kernel.value().toArray(), acc = new float[y.size()];
    for (int n = 0; n < batch; n++)
      for (int iy = 0; iy < h; iy++) for (int ix = 0; ix < w; ix++) scatter(xv, k, acc, n, iy, ix);
    yb.put(0, acc);
    Rows.addBiasActivate(
        y, batch * oh * ow, filters, useBias ? bias.value().toArray() : null, activation);
    return y;
  }

  /** Adds input pixel (n, iy, ix) times the kernel into the output accumulator. */
  private void scatter(float[] xv, float[] k, float[] acc, int n, int iy, int ix) {
    int xo = ((n * h + iy) * w + ix) * c;
    for (int ky = 0; ky < kernelSize[0]; ky++) {
      int oy = iy * strides[0] - padTop + ky;
      if (oy < 0 || oy >= oh) continue;
      for (int kx = 0; kx < kernelSize[1]; kx++) {
        int ox = ix * strides[1] - padLeft + kx;
        if (ox < 0 || ox >= ow) continue;
        int yo = ((n * oh + oy) * ow + ox) * filters, ko = (ky * kernelSize[1] + kx) * c * filters;
        for (int ci = 0; ci < c; ci++) {
          float v = xv[xo + ci];
          int kr = ko + ci * filters;
          for (int o = 0; o < filters; o++) acc[yo + o] += v * k[kr + o];
        }
      }
    }
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    return backward(gy, ctx, new boolean[] {true});
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx, boolean[] needInput) {
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    float[] gv = g.toArray(), xv = x.toArray(), k = kernel.value().toArray();
    float[] dk = new float[k.length], dxv = new float[xv.length];
    for (int n = 0; n < batch; n++)
      for (int iy = 0; iy < h; iy++)
        for (int ix = 0; ix < w; ix++) gather(gv, xv, k, dk, dxv, n, iy, ix);
    kernel.grad().buffer().put(0, dk);
    if (useBias) Reductions.sumRows(g, batch * oh * ow, filters, bias.grad());
    if (!needInput[0]) return new Tensor[] {null};
    dx = Tensor.reuse(dx, batch, h, w, c);
    dx.buffer().put(0, dxv);
    return new Tensor[] {dx};
  }

  /** Kernel and input gradients of input pixel (n, iy, ix): the transpose of {@link #scatter}. */
  private void gather(
      float[] gv, float[] xv, float[] k, float[] dk, float[] dxv, int n, int iy, int ix) {
    int xo = ((n * h + iy) * w + ix) * c;
    for (int ky = 0; ky < kernelSize[0]; ky++) {
      int oy = iy * strides[0] - padTop + ky;
      if (oy < 0 || oy >= oh) continue;
      for (int kx = 0; kx < kernelSize[1]; kx++) {
        int ox = ix * strides[1] - padLeft + kx;
        if (ox < 0 || ox >= ow) continue;
        int yo = ((n * oh + oy) * ow + ox) * filters, ko = (ky * kernelSize[1] + kx) * c * filters;
        for (int ci = 0; ci < c; ci++) {
          float v = xv[xo + ci], s = 0f;
          int kr = ko + ci * filters;
          for (int o = 0; o < filters; o++) {
            dk[kr + o] += v * gv[yo + o];
            s += k[kr + o] * gv[yo + o];
          }
          dxv[xo + ci] += s;
        }
      }
    }
  }

  @Override
  Conv2DTranspose fresh() {
    return new Conv2DTranspose(name(), filters, kernelSize[0], kernelSize[1]);
  }

  @Override
  public <R> R accept(Visitor<R> v) {
    return v.conv2DTranspose(this);
  }
}
