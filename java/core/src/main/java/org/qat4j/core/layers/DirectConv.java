package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * Direct Conv2D for a small window (kh·kw·C ≤ {@link #MAX_TAPS}, e.g. the reference CNN's conv1:
 * 3x3, one channel), without im2col and GEMM: NHWC input [N, H, W, C], HWIO kernel, output [N, OH,
 * OW, F]. One output row is the flat array [OW·F]; per tap t = (ky·kw + kx)·C + c it adds
 * E_t[i]·W_t[i], where E_t is the row's input value broadcast over the F filters and W_t the tap's
 * weights tiled over OW. Every array in these loops is read at the same index, so JDK 17's C2
 * vectorizes them. The broadcast rows of one input row are built once and kept in a ring for the kh
 * output rows that use them. Weight and bias gradients are summed per fixed block of {@link #BLOCK}
 * images and the blocks added in order, so they do not depend on the thread count.
 *
 * <p>Opt-in ({@code -Dqat4j.conv.direct=true}): measured slower than im2col + OpenBLAS on conv1
 * (docs/PERFORMANCE.md, session 7), because C2 needs two array loads per multiply-add here (the
 * broadcast input and the tiled weight) where the GEMM keeps the weights in registers.
 */
final class DirectConv {
  /** Largest kh·kw·C handled here; larger windows amortise im2col and pay off in the GEMM. */
  static final int MAX_TAPS = 32;

  /** Longest output row OW·F handled here (keeps the tiled weights in L2). */
  static final int MAX_ROW = 4096;

  /** Images per weight-gradient partial sum. */
  static final int BLOCK = 4;

  private Tensor x;
  private ConvGeometry g;
  private int filters;

  /**
   * True when the direct path runs for this geometry: switched on with {@code
   * -Dqat4j.conv.direct=true} (read on every call, so a benchmark or test can compare both paths)
   * and a small window that is not pointwise.
   */
  static boolean applies(ConvGeometry g, int filters) {
    return Boolean.getBoolean("qat4j.conv.direct")
        && !g.pointwise()
        && g.kh() * g.kw() * g.c() <= MAX_TAPS
        && (long) g.ow() * filters <= MAX_ROW;
  }

  /**
   * y = act(conv(x, kernel) + bias) into {@code y} [N, OH, OW, F]; {@code bias} may be null. Keeps
   * a reference to {@code x} for {@link #backward}.
   */
  void forward(
      Tensor x, ConvGeometry g, Tensor kernel, Tensor bias, Activation act, Tensor y, int f) {
    this.x = x;
    this.g = g;
    this.filters = f;
    int n = x.dim(0), row = g.ow() * f;
    float[][] wt = tiles(kernel);
    float[] bt = new float[row];
    if (bias != null) {
      float[] b = bias.toArray();
      for (int o = 0; o < row; o += f) System.arraycopy(b, 0, bt, o, f);
    }
    FloatBuffer yb = y.buffer();
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * g.oh() * row * wt.length, 1 << 18),
        (lo, hi) -> {
          Ring ring = new Ring(g, f);
          float[] acc = new float[row];
          for (int b = lo; b < hi; b++) {
            ring.load(x, b);
            for (int oy = 0; oy < g.oh(); oy++) {
              System.arraycopy(bt, 0, acc, 0, row);
              addTaps(acc, ring.rows(oy), wt, row);
              act.apply(acc, 0, row);
              yb.put((b * g.oh() + oy) * row, acc, 0, row);
            }
          }
        });
  }

  /** The kernel's tap rows tiled over an output row: [kh·kw·C][OW·F]. */
  private float[][] tiles(Tensor kernel) {
    int taps = g.kh() * g.kw() * g.c(), f = filters, row = g.ow() * f;
    float[] w = kernel.toArray();
    float[][] wt = new float[taps][row];
    for (int t = 0; t < taps; t++) {
      for (int o = 0; o < row; o += f) System.arraycopy(w, t * f, wt[t], o, f);
    }
    return wt;
  }

  /** acc += Σ_t e[t]·w[t], three taps per pass over the row. */
  private static void addTaps(float[] acc, float[][] e, float[][] w, int n) {
    int t = 0;
    for (; t + 3 <= e.length; t += 3) {
      float[] e0 = e[t], e1 = e[t + 1], e2 = e[t + 2], w0 = w[t], w1 = w[t + 1], w2 = w[t + 2];
      for (int i = 0; i < n; i++) acc[i] += e0[i] * w0[i] + e1[i] * w1[i] + e2[i] * w2[i];
    }
    for (; t < e.length; t++) {
      float[] e0 = e[t], w0 = w[t];
      for (int i = 0; i < n; i++) acc[i] += e0[i] * w0[i];
    }
  }

  /**
   * Weight and bias gradients from the pre-activation output gradient {@code gy} [N, OH, OW, F]
   * into {@code dKernel} and {@code dBias} (may be null); the input gradient into {@code dx} when
   * it is not null.
   */
  void backward(Tensor gy, Tensor dKernel, Tensor dBias, Tensor dx, Tensor kernel) {
    int n = x.dim(0), taps = g.kh() * g.kw() * g.c(), f = filters, row = g.ow() * f;
    int blocks = (n + BLOCK - 1) / BLOCK;
    float[][] parts = new float[blocks][];
    FloatBuffer gb = gy.buffer();
    Parallel.forRange(
        blocks,
        Parallel.grain(blocks, (long) n * g.oh() * row * taps, 1 << 18),
        (lo, hi) -> {
          Ring ring = new Ring(g, f);
          float[][] sums = new float[taps + 1][row];
          float[] gr = new float[row];
          for (int blk = lo; blk < hi; blk++) {
            for (float[] s : sums) Arrays.fill(s, 0f);
            for (int b = blk * BLOCK; b < Math.min(n, (blk + 1) * BLOCK); b++) {
              ring.load(x, b);
              for (int oy = 0; oy < g.oh(); oy++) {
                gb.get((b * g.oh() + oy) * row, gr, 0, row);
                accumulate(sums, ring.rows(oy), gr, row);
              }
            }
            parts[blk] = fold(sums, f);
          }
        });
    float[] total = new float[(taps + 1) * f];
    for (float[] p : parts) for (int i = 0; i < total.length; i++) total[i] += p[i];
    dKernel.buffer().put(0, total, 0, taps * f);
    if (dBias != null) dBias.buffer().put(0, total, taps * f, f);
    if (dx != null) inputGradient(gb, tiles(kernel), dx);
  }

  /** dx[iy, ix, c] = Σ over the taps and outputs that read it of Σ_f gy·w, image by image. */
  private void inputGradient(FloatBuffer gb, float[][] wt, Tensor dx) {
    int n = x.dim(0), f = filters, row = g.ow() * f, size = g.h() * g.w() * g.c();
    FloatBuffer db = dx.buffer();
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * g.oh() * row * wt.length, 1 << 18),
        (lo, hi) -> {
          float[] gr = new float[row], prod = new float[row], d = new float[size];
          for (int b = lo; b < hi; b++) {
            Arrays.fill(d, 0f);
            for (int oy = 0; oy < g.oh(); oy++) {
              gb.get((b * g.oh() + oy) * row, gr, 0, row);
              for (int t = 0; t < wt.length; t++) {
                int ky = t / (g.kw() * g.c()), kx = t / g.c() % g.kw(), ch = t % g.c();
                int iy = oy * g.sh() + ky * g.dh() - g.padTop();
                if (iy < 0 || iy >= g.h()) continue;
                float[] w = wt[t];
                for (int i = 0; i < row; i++) prod[i] = gr[i] * w[i];
                scatter(prod, d, (iy * g.w()) * g.c() + ch, kx * g.dw() - g.padLeft());
              }
            }
            db.put(b * size, d, 0, size);
          }
        });
  }

  /** d[base + ix·C] += Σ_j prod[ox·F + j] for the columns ix = ox·sw + x0 inside the image. */
  private void scatter(float[] prod, float[] d, int base, int x0) {
    int f = filters;
    for (int ox = 0; ox < g.ow(); ox++) {
      int ix = ox * g.sw() + x0;
      if (ix < 0 || ix >= g.w()) continue;
      float s = 0f;
      for (int j = ox * f; j < ox * f + f; j++) s += prod[j];
      d[base + ix * g.c()] += s;
    }
  }

  /** sums[t] += e[t]·gr per tap, three taps per pass; sums[taps] += gr (the bias). */
  private static void accumulate(float[][] sums, float[][] e, float[] gr, int n) {
    int t = 0;
    for (; t + 3 <= e.length; t += 3) {
      float[] s0 = sums[t], s1 = sums[t + 1], s2 = sums[t + 2], e0 = e[t], e1 = e[t + 1];
      float[] e2 = e[t + 2];
      for (int i = 0; i < n; i++) {
        float v = gr[i];
        s0[i] += e0[i] * v;
        s1[i] += e1[i] * v;
        s2[i] += e2[i] * v;
      }
    }
    for (; t < e.length; t++) {
      float[] s0 = sums[t], e0 = e[t];
      for (int i = 0; i < n; i++) s0[i] += e0[i] * gr[i];
    }
    float[] sb = sums[e.length];
    for (int i = 0; i < n; i++) sb[i] += gr[i];
  }

  /** Sums each [OW·F] row over OW, in OW order: [(taps + 1)·F]. */
  private static float[] fold(float[][] sums, int f) {
    float[] out = new float[sums.length * f];
    for (int t = 0; t < sums.length; t++) {
      float[] s = sums[t];
      for (int o = 0; o < s.length; o += f) {
        for (int j = 0; j < f; j++) out[t * f + j] += s[o + j];
      }
    }
    return out;
  }

  /**
   * One image's broadcast input rows, per (kx, c) an [OW·F] array with the input value of output
   * column ox repeated F times (0 outside the image), kept for the last kh·dh input rows.
   */
  static final class Ring {
    private final ConvGeometry g;
    private final int f;
    private final int slots;
    private final float[][][] rows;
    private final int[] tag;
    private final float[] wide;
    private final float[][] taps;
    private float[] img;

    Ring(ConvGeometry g, int f) {
      this.g = g;
      this.f = f;
      slots = (g.kh() - 1) * g.dh() + 1;
      int perRow = g.kw() * g.c(), row = g.ow() * f;
      rows = new float[slots][perRow][row];
      tag = new int[slots];
      wide = new float[((g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1) * f];
      taps = new float[g.kh() * perRow][];
      img = new float[g.h() * g.w() * g.c()];
    }

    /** Loads image {@code b} of {@code x} and forgets the rows of the previous one. */
    void load(Tensor x, int b) {
      x.buffer().get(b * img.length, img, 0, img.length);
      Arrays.fill(tag, Integer.MIN_VALUE);
    }

    /** The broadcast rows of output row {@code oy} in tap order (ky·kw + kx)·C + c; shared. */
    float[][] rows(int oy) {
      int perRow = g.kw() * g.c();
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.sh() + ky * g.dh() - g.padTop(), slot = Math.floorMod(iy, slots);
        if (tag[slot] != iy) {
          build(iy, rows[slot]);
          tag[slot] = iy;
        }
        System.arraycopy(rows[slot], 0, taps, ky * perRow, perRow);
      }
      return taps;
    }

    /** Broadcast rows of input row iy for every (kx, c). */
    private void build(int iy, float[][] out) {
      int c = g.c(), row = g.ow() * f;
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0, o = 0; o < wide.length; p++, o += f) {
          int ix = p - g.padLeft();
          boolean in = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
          Arrays.fill(wide, o, o + f, in ? img[(iy * g.w() + ix) * c + ch] : 0f);
        }
        for (int kx = 0; kx < g.kw(); kx++) {
          float[] e = out[kx * c + ch];
          int from = kx * g.dw() * f;
          if (g.sw() == 1) {
            System.arraycopy(wide, from, e, 0, row);
          } else {
            for (int o = 0; o < row; o += f, from += g.sw() * f) {
              System.arraycopy(wide, from, e, o, f);
            }
          }
        }
      }
    }
  }
}
