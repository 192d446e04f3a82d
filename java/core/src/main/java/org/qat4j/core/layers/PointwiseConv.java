package org.qat4j.core.layers;

import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * A 1x1 stride-1 {@link Conv2D}: the input [n·H·W, C] is already the column matrix, so forward is
 * one GEMM against the kernel [C, filters] and backward two, each split over the layer threads.
 */
final class PointwiseConv implements ConvPath {
  private final Conv2D layer;
  private Tensor x;

  PointwiseConv(Conv2D layer) {
    this.layer = layer;
  }

  @Override
  public boolean biasInside() {
    return false;
  }

  @Override
  public void forward(Tensor x, int n, Tensor y, ExecContext ctx) {
    this.x = x;
    int rows = n * layer.geo.oh() * layer.geo.ow(), c = layer.geo.c(), f = layer.filters;
    SplitGemm.sgemm(
        ctx.gemm(), false, false, rows, f, c, 1f, x, 0, c, layer.kernel.value(), 0, f, 0f, y, 0, f);
  }

  @Override
  public void backward(Tensor g, int n, Tensor dx, ExecContext ctx) {
    int rows = n * layer.geo.oh() * layer.geo.ow(), c = layer.geo.c(), f = layer.filters;
    Tensor dw = layer.kernel.grad();
    SplitGemm.sgemm(ctx.gemm(), true, false, c, f, rows, 1f, x, 0, c, g, 0, f, 0f, dw, 0, f);
    if (layer.useBias) Reductions.sumRows(g, rows, f, layer.bias.grad());
    if (dx == null) return;
    Tensor w = layer.kernel.value();
    SplitGemm.sgemm(ctx.gemm(), false, true, rows, c, f, 1f, g, 0, f, w, 0, f, 0f, dx, 0, c);
  }
}
