package org.qat4j.core.layers;

import com.google.gson.JsonObject;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * 2-D convolution on NHWC input [N, H, W, C] → [N, OH, OW, filters], computed as im2col into a
 * reused workspace plus one GEMM over the whole batch (1x1 stride-1 convolutions skip im2col). With
 * im2col and a bias, the columns carry a constant 1 and the GEMM runs against the kernel stacked on
 * the bias, so the bias and its gradient cost no pass over the output of their own. Kernel param
 * "kernel" is HWIO [kh, kw, in, filters] (Glorot-uniform init with fan-in kh·kw·in and fan-out
 * kh·kw·filters, as Keras), bias "bias" [filters] (zeros). Padding follows TFLite's arithmetic; the
 * optional fused activation is applied last.
 */
public final class Conv2D extends FilterConv<Conv2D> {
  private Tensor col;
  private Tensor wAug;
  private Tensor gAug;
  private Tensor dcol;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;
  private int batch;
  private DirectConv direct;

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

  @Override
  public Tensor forward(Tensor[] in, ExecContext ctx) {
    Tensor x = in[0];
    checkInput(x);
    batch = x.dim(0);
    // Opt-in direct loop for small windows (DirectConv: measured slower than im2col + GEMM).
    direct = DirectConv.applies(geo, filters) ? (direct != null ? direct : new DirectConv()) : null;
    if (direct != null) {
      y = Tensor.reuse(y, batch, geo.oh(), geo.ow(), filters);
      direct.forward(x, geo, kernel.value(), useBias ? bias.value() : null, activation, y, filters);
      return y;
    }
    int rows = batch * geo.oh() * geo.ow(), k = kInner(), ld = ldCol();
    Tensor a = columns(x, rows, ld);
    y = Tensor.reuse(y, batch, geo.oh(), geo.ow(), filters);
    Tensor w = kernel.value();
    if (ld > k) {
      // [kernel; bias] as one [k + 1, filters] matrix against the columns' constant 1.
      wAug = Tensor.reuse(wAug, k + 1, filters);
      FloatBuffer wb = wAug.buffer();
      wb.put(0, kernel.value().buffer(), 0, k * filters);
      wb.put(k * filters, bias.value().buffer(), 0, filters);
      w = wAug;
    }
    SplitGemm.sgemm(
        ctx.gemm(),
        false,
        false,
        rows,
        filters,
        ld,
        1f,
        a,
        0,
        ld,
        w,
        0,
        filters,
        0f,
        y,
        0,
        filters);
    biasAndActivation(rows, ld > k);
    return y;
  }

  private int kInner() {
    return kernelSize[0] * kernelSize[1] * geo.c();
  }

  /** Row length of the column matrix: k, plus the constant-1 column when a bias rides along. */
  private int ldCol() {
    return geo.pointwise() || !useBias ? kInner() : kInner() + 1;
  }

  /**
   * The column matrix [rows, ld]: the input itself for pointwise convs, else the im2col workspace.
   */
  private Tensor columns(Tensor x, int rows, int ld) {
    if (geo.pointwise()) {
      col = x;
      return x;
    }
    col = Tensor.reuse(col, rows, ld);
    Im2Col.im2col(x, batch, geo, col, ld > kInner());
    return col;
  }

  private void biasAndActivation(int rows, boolean biasDone) {
    boolean addBias = useBias && !biasDone;
    if (!addBias && activation == Activation.NONE) return;
    Rows.addBiasActivate(y, rows, filters, addBias ? bias.value().toArray() : null, activation);
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    return backward(gy, ctx, new boolean[] {true});
  }

  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx, boolean[] needInput) {
    int rows = batch * geo.oh() * geo.ow(), k = kInner();
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    if (direct != null) {
      Tensor d = needInput[0] ? (dx = Tensor.reuse(dx, batch, geo.h(), geo.w(), geo.c())) : null;
      direct.backward(g, kernel.grad(), useBias ? bias.grad() : null, d, kernel.value());
      return new Tensor[] {d};
    }
    weightGradients(g, rows, k, ctx);
    if (!needInput[0]) return new Tensor[] {null};
    dx = Tensor.reuse(dx, batch, geo.h(), geo.w(), geo.c());
    if (geo.pointwise()) {
      SplitGemm.sgemm(
          ctx.gemm(),
          false,
          true,
          rows,
          k,
          filters,
          1f,
          g,
          0,
          filters,
          kernel.value(),
          0,
          filters,
          0f,
          dx,
          0,
          k);
    } else {
      dcol = Tensor.reuse(dcol, rows, k);
      SplitGemm.sgemm(
          ctx.gemm(),
          false,
          true,
          rows,
          k,
          filters,
          1f,
          g,
          0,
          filters,
          kernel.value(),
          0,
          filters,
          0f,
          dcol,
          0,
          k);
      Im2Col.col2im(dcol, batch, geo, dx);
    }
    return new Tensor[] {dx};
  }

  /** dW = colsᵀ·g and, with the constant-1 column, the bias gradient as its last row. */
  private void weightGradients(Tensor g, int rows, int k, ExecContext ctx) {
    int ld = ldCol();
    Tensor dw = ld > k ? (gAug = Tensor.reuse(gAug, ld, filters)) : kernel.grad();
    SplitGemm.sgemm(
        ctx.gemm(),
        true,
        false,
        ld,
        filters,
        rows,
        1f,
        col,
        0,
        ld,
        g,
        0,
        filters,
        0f,
        dw,
        0,
        filters);
    if (ld > k) {
      FloatBuffer gb = gAug.buffer();
      kernel.grad().buffer().put(0, gb, 0, k * filters);
      bias.grad().buffer().put(0, gb, k * filters, filters);
    } else if (useBias) {
      Reductions.sumRows(g, rows, filters, bias.grad());
    }
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
