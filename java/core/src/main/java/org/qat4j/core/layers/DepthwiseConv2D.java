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
 * Depthwise 2-D convolution on NHWC input [N, H, W, C] → [N, OH, OW, C·mult]. Param
 * "depthwise_kernel" is [kh, kw, C, mult] (He-normal, fan-in kh·kw), "bias" is [C·mult] (zeros);
 * output channel {@code c·mult + m} reads input channel c with kernel slice m. Padding follows
 * TFLite's arithmetic; the optional fused activation is applied last. The loops are in {@link
 * DepthwiseTiles}.
 */
public final class DepthwiseConv2D extends ConvBase<DepthwiseConv2D> {
  /** Samples per gradient partial sum (a fixed size keeps sums independent of threads). */
  private static final int GROUP = 16;

  private int multiplier = 1;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor gmask;
  private DepthwiseTiles tiles;
  // per worker chunk, kept from call to call (forward and backward apart: backward relies on zeros)
  private DepthwiseTiles.Scratch[] fwdScratch = new DepthwiseTiles.Scratch[0];
  private DepthwiseTiles.Scratch[] bwdScratch = new DepthwiseTiles.Scratch[0];

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
    tiles = null;
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
    if (tiles == null) {
      tiles = new DepthwiseTiles(geo, multiplier);
      fwdScratch = new DepthwiseTiles.Scratch[0];
      bwdScratch = new DepthwiseTiles.Scratch[0];
    }
    float[][] tw = tiles.tile(kernel.value().toArray(), false);
    float[] init =
        useBias
            ? tiles.repeat(bias.value().toArray(), 0, tiles.blockLen())
            : new float[tiles.blockLen()];
    FloatBuffer xb = x.buffer(), yb = y.buffer();
    int blocks = tiles.blocks(), chunks = Parallel.chunks(n * blocks);
    DepthwiseTiles.Scratch[] scratch = fwdScratch = scratches(fwdScratch, chunks, false);
    Parallel.forRange(
        n * blocks,
        (lo, hi) -> {
          DepthwiseTiles.Scratch s = scratch[Parallel.chunkOf(lo, n * blocks, chunks)];
          for (int u = lo; u < hi; u++)
            tiles.forwardBlock(xb, yb, u / blocks, u % blocks, tw, init, activation, s);
        });
    return y;
  }

  /**
   * Gradients per fixed group of {@link #GROUP} samples, summed over the groups in order: the
   * result does not depend on the thread count.
   */
  @Override
  public Tensor[] backward(Tensor gy, ExecContext ctx) {
    int n = x.dim(0), cm = geo.c() * multiplier, taps = geo.kh() * geo.kw();
    Tensor g = activation.maskedGrad(y, gy, gmask);
    if (g != gy) gmask = g;
    dx = Tensor.reuse(dx, x.shape());
    float[][] tw = tiles.tile(kernel.value().toArray(), true);
    int groups = (n + GROUP - 1) / GROUP, chunks = Parallel.chunks(groups);
    DepthwiseTiles.Scratch[] scratch = bwdScratch = scratches(bwdScratch, chunks, true);
    float[][] dw = new float[groups][taps * cm];
    float[][] db = new float[groups][useBias ? cm : 0];
    FloatBuffer xb = x.buffer(), gb = g.buffer(), dxb = dx.buffer();
    Parallel.forRange(
        groups,
        (lo, hi) -> {
          DepthwiseTiles.Scratch s = scratch[Parallel.chunkOf(lo, groups, chunks)];
          for (int k = lo; k < hi; k++) {
            var out = new DepthwiseTiles.Grads(dw[k], useBias ? db[k] : null);
            tiles.backward(xb, gb, dxb, k * GROUP, Math.min(n, (k + 1) * GROUP), tw, out, s);
          }
        });
    combine(dw, kernel.grad());
    if (useBias) combine(db, bias.grad());
    return new Tensor[] {dx};
  }

  /** {@code have}, grown to {@code chunks} scratch sets. */
  private DepthwiseTiles.Scratch[] scratches(
      DepthwiseTiles.Scratch[] have, int chunks, boolean backward) {
    if (have.length >= chunks) return have;
    DepthwiseTiles.Scratch[] s = Arrays.copyOf(have, chunks);
    for (int i = have.length; i < chunks; i++) s[i] = tiles.scratch(backward);
    return s;
  }

  /** Sums per-group partials in group order into {@code out}. */
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
