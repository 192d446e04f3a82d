package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.ir.internal.Parallel;

/**
 * {@link Conv2D} by im2col in tiles of whole images. A tile's column block [images·OH·OW, ld] (ld =
 * KH·KW·C, plus a constant-1 column that carries the bias) stays within about {@link #TILE_BYTES},
 * so it is still in the core's L2 cache when its GEMM reads it; one column matrix for the whole
 * batch would make a round trip through memory. Tiles run on {@link Parallel} workers, each with
 * its own scratch and a single-threaded GEMM. Backward recomputes a tile's columns (from the small
 * input), adds the tile's share of dW to the partial of its block (a fixed run of tiles), then
 * writes dcol = g·Wᵀ over the same scratch and scatters it into dx (tiles own disjoint images).
 * Tiles and blocks follow from the batch size and geometry only and the block partials are summed
 * in block order, so results do not depend on the thread count.
 */
final class TiledConv implements ConvPath {
  /** Column block per tile: a few hundred KB, well inside a 2 MB L2 with g, dW and W beside it. */
  static final int TILE_BYTES = 384 << 10;

  /** Tiles per batch to aim for (smaller tiles balance the workers) and dW partials at most. */
  static final int MIN_TILES = 8;

  static final int MAX_BLOCKS = 8;

  /** Multiply-adds below which a loop runs on the calling thread. */
  private static final long MIN_WORK = 1L << 21;

  private final Conv2D layer;
  private Tensor x;
  private Tensor wAug;
  private Tensor partial;
  private Scratch[] scratch = new Scratch[0];
  private float[] sum;
  private float[] part;

  /** One worker's workspace: the tile's columns (native, for the GEMM) and im2col's buffers. */
  private static final class Scratch {
    final Tensor cols;
    final Im2Col.Buffers buf;

    Scratch(int floats, ConvGeometry g, int ld) {
      cols = Tensor.zeros(floats);
      buf = new Im2Col.Buffers(g, ld);
    }
  }

  TiledConv(Conv2D layer) {
    this.layer = layer;
  }

  @Override
  public boolean biasInside() {
    return layer.useBias;
  }

  private int k() {
    return layer.geo.kh() * layer.geo.kw() * layer.geo.c();
  }

  private int ld() {
    return layer.useBias ? k() + 1 : k();
  }

  private int pixels() {
    return layer.geo.oh() * layer.geo.ow();
  }

  /** Tile count for n images. */
  private int tiles(int n) {
    int per = perTile(4L * pixels() * ld(), n);
    return (n + per - 1) / per;
  }

  /**
   * Images per tile for n images of {@code imageBytes} of columns each: as many as fit in {@link
   * #TILE_BYTES} (at least one), but no more than needed for {@link #MIN_TILES} tiles.
   */
  static int perTile(long imageBytes, int n) {
    int fit = (int) Math.max(1, TILE_BYTES / imageBytes);
    return Math.max(1, Math.min(fit, (n + MIN_TILES - 1) / MIN_TILES));
  }

  /** First image of tile i of t (tiles differ by at most one image). */
  private static int start(int i, int n, int t) {
    return (int) ((long) i * n / t);
  }

  /** Worker count for {@code units} of the batch's work; 1 for the Java GEMM (it splits itself). */
  private int chunks(int units, int n, ExecContext ctx) {
    if ("java".equals(ctx.gemm().name())) return 1;
    return Parallel.grain(units, (long) n * pixels() * ld() * layer.filters, MIN_WORK);
  }

  private void prepare(int chunks, int n) {
    int t = tiles(n), floats = (n + t - 1) / t * pixels() * ld();
    if (scratch.length < chunks || scratch[0].cols.size() < floats) {
      Scratch[] s = new Scratch[Math.max(chunks, scratch.length)];
      for (int i = 0; i < s.length; i++) s[i] = new Scratch(floats, layer.geo, ld());
      scratch = s;
    }
  }

  @Override
  public void forward(Tensor x, int n, Tensor y, ExecContext ctx) {
    this.x = x;
    int t = tiles(n), chunks = chunks(t, n, ctx);
    prepare(chunks, n);
    Tensor w = weights();
    // One worker alone splits each tile's GEMM instead (a batch of one image, the Java GEMM).
    Gemm mm = chunks > 1 ? ctx.gemm() : SplitGemm.over(ctx.gemm());
    Parallel.forRange(
        t,
        chunks,
        (lo, hi) -> {
          Scratch s = scratch[Parallel.chunkOf(lo, t, Math.min(chunks, t))];
          for (int i = lo; i < hi; i++)
            forwardTile(start(i, n, t), start(i + 1, n, t), s, w, y, mm);
        });
  }

  private void forwardTile(int b0, int b1, Scratch s, Tensor w, Tensor y, Gemm mm) {
    int ld = ld(), f = layer.filters, rows = (b1 - b0) * pixels();
    Im2Col.images(x.buffer(), b0, b1, layer.geo, s.cols.buffer(), 0, ld, s.buf);
    mm.sgemm(false, false, rows, f, ld, 1f, s.cols, 0, ld, w, 0, f, 0f, y, b0 * pixels() * f, f);
  }

  /** The kernel [k, filters], or with a bias [kernel; bias] as one [k + 1, filters] matrix. */
  private Tensor weights() {
    if (!layer.useBias) return layer.kernel.value();
    int k = k(), f = layer.filters;
    wAug = Tensor.reuse(wAug, k + 1, f);
    FloatBuffer wb = wAug.buffer();
    wb.put(0, layer.kernel.value().buffer(), 0, k * f);
    wb.put(k * f, layer.bias.value().buffer(), 0, f);
    return wAug;
  }

  @Override
  public void backward(Tensor g, int n, Tensor dx, ExecContext ctx) {
    int t = tiles(n), blocks = Math.min(t, MAX_BLOCKS), chunks = chunks(blocks, n, ctx);
    prepare(chunks, n);
    partial = Tensor.reuse(partial, blocks, ld() * layer.filters);
    Gemm mm = chunks > 1 ? ctx.gemm() : SplitGemm.over(ctx.gemm());
    Parallel.forRange(
        blocks,
        chunks,
        (lo, hi) -> {
          Scratch s = scratch[Parallel.chunkOf(lo, blocks, Math.min(chunks, blocks))];
          for (int j = lo; j < hi; j++) {
            for (int i = start(j, t, blocks); i < start(j + 1, t, blocks); i++)
              backwardTile(i, j, n, t, s, g, dx, ctx.gemm(), mm);
          }
        });
    sumPartials(blocks);
  }

  /**
   * Tile i of block j: dW_j += colsᵀ·g (the first tile of the block overwrites), then dx. dW stays
   * on {@code gemm} unsplit so that its sums do not depend on the thread count.
   */
  private void backwardTile(
      int i, int j, int n, int t, Scratch s, Tensor g, Tensor dx, Gemm gemm, Gemm mm) {
    int b0 = start(i, n, t), b1 = start(i + 1, n, t), ld = ld(), f = layer.filters;
    int rows = (b1 - b0) * pixels(), gOff = b0 * pixels() * f, blocks = partial.dim(0);
    float beta = i == start(j, t, blocks) ? 0f : 1f;
    Im2Col.images(x.buffer(), b0, b1, layer.geo, s.cols.buffer(), 0, ld, s.buf);
    gemm.sgemm(
        true, false, ld, f, rows, 1f, s.cols, 0, ld, g, gOff, f, beta, partial, j * ld * f, f);
    if (dx == null) return;
    // dcol = g·Wᵀ into the columns' own space (row stride ld; the bias column is not read).
    Tensor w = layer.kernel.value();
    mm.sgemm(false, true, rows, k(), f, 1f, g, gOff, f, w, 0, f, 0f, s.cols, 0, ld);
    Im2Col.scatter(s.cols.buffer(), 0, ld, b0, b1, layer.geo, dx.buffer(), s.buf);
  }

  /** dW = the block partials summed in block order; with a bias its gradient is the last row. */
  private void sumPartials(int blocks) {
    int f = layer.filters, len = ld() * f, kf = k() * f;
    if (sum == null || sum.length != len) {
      sum = new float[len];
      part = new float[len];
    }
    FloatBuffer pb = partial.buffer();
    pb.get(0, sum);
    for (int j = 1; j < blocks; j++) {
      pb.get(j * len, part);
      for (int e = 0; e < len; e++) sum[e] += part[e];
    }
    layer.kernel.grad().buffer().put(0, sum, 0, kf);
    if (layer.useBias) layer.bias.grad().buffer().put(0, sum, kf, f);
  }
}
