package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * 2-D convolution on NHWC input [N, H, W, C] → [N, OH, OW, filters], computed by a {@link ConvPath}
 * chosen from the geometry: im2col and GEMM in cache-sized tiles of images ({@link TiledConv}), one
 * GEMM on the input itself for 1x1 stride-1 convolutions ({@link PointwiseConv}), or for small
 * windows with the Vector API present a direct convolution in vector registers ({@link
 * VectorConv}). With im2col and a bias, the columns carry a constant 1 and the GEMM runs against
 * the kernel stacked on the bias, so the bias and its gradient cost no pass over the output of
 * their own. Kernel param "kernel" is HWIO [kh, kw, in, filters] (Glorot-uniform init with fan-in
 * kh·kw·in and fan-out kh·kw·filters, as Keras), bias "bias" [filters] (zeros). Padding follows
 * TFLite's arithmetic; the optional fused activation is applied last.
 */
public final class Conv2D extends FilterConv<Conv2D> {
  private ConvPath path;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;
  private int batch;

  /**
   * A convolution with {@code filters} output channels and a kh x kw window; stride 1, VALID, bias,
   * no activation.
   */
  public Conv2D(String name, int filters, int kh, int kw) {
    super(name, filters, kh, kw);
  }

  @Override
  Conv2D self() {
    return this;
  }

  static Conv2D fromConfig(String name, JsonObject c) {
    return fromConfig(name, c, Conv2D::new);
  }

  @Override
  public String type() {
    return "Conv2D";
  }

  @Override
  public int[] outputShape(int[]... in) {
    ConvGeometry g = geometry(single(in));
    return new int[] {g.oh(), g.ow(), filters};
  }

  @Override
  public void build(int[][] in, SplittableRandom rng) {
    int[] s = single(in);
    geo = geometry(s);
    path = null;
    int area = kernelSize[0] * kernelSize[1];
    // Keras's default: with BN after the conv the output ignores the weight scale, but Adam's
    // step does not, so the smaller Glorot weights train faster than He-normal (measured).
    kernel =
        new Param(
            "kernel",
            kernelInit.sample(
                rng, area * s[2], area * filters, kernelSize[0], kernelSize[1], s[2], filters),
            true);
    if (useBias) bias = new Param("bias", Tensor.zeros(filters), true);
  }

  /** The path for this geometry, made on first use after {@link #build}. */
  ConvPath path() {
    if (path != null) return path;
    if (geo.pointwise()) path = new PointwiseConv(this);
    // Lanes.vector() first: VectorConv is loaded only with jdk.incubator.vector present.
    else if (Lanes.vector() && VectorConv.applies(geo)) path = new VectorConv(this);
    else path = new TiledConv(this);
    return path;
  }

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    checkInput(x);
    batch = x.dim(0);
    y = Tensor.reuse(y, batch, geo.oh(), geo.ow(), filters);
    ConvPath p = path();
    p.forward(x, batch, y, ctx);
    boolean addBias = useBias && !p.biasInside();
    if (addBias || activation != Activation.NONE) {
      int rows = batch * geo.oh() * geo.ow();
      Rows.addBiasActivate(y, rows, filters, addBias ? bias.value().toArray() : null, activation);
    }
    return y;
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    return backward(gy, ctx, new boolean[] {true});
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx, boolean[] needInput) {
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    Tensor d = needInput[0] ? (dx = Tensor.reuse(dx, batch, geo.h(), geo.w(), geo.c())) : null;
    path().backward(g, batch, d, ctx);
    return new Tensor[] {d};
  }

  @Override
  Conv2D fresh() {
    return new Conv2D(name(), filters, kernelSize[0], kernelSize[1]);
  }

  @Override
  public <R> R accept(Visitor<R> v) {
    return v.conv2D(this);
  }
}
