package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * {@link Conv2D} for a small window (kh·kw·C ≤ {@link #MAX_TAPS}, e.g. the reference CNN's conv1:
 * 3x3, one channel) as a direct convolution on the JDK Vector API, without im2col: NHWC input [N,
 * H, W, C], HWIO kernel, output [N, OH, OW, F]. Vectors run over the filters, two vectors (a pair,
 * 2·L filters for L lanes) at a time, and the taps in groups of {@link #GROUP}: one group's weights
 * for one pair stay in registers (18 vectors), and per output pixel each tap's input value is
 * broadcast once and fused-multiply-added onto both vectors, starting from the bias. Filters past F
 * and taps past kh·kw·C have zero weights. Each image is first copied into a zero-bordered heap
 * copy, so taps need no bounds tests. Weight and bias gradients accumulate in registers over a row
 * of output pixels (one vector of filters at a time) and in a partial per block of {@link #BLOCK}
 * images; the partials are added in block order, so results do not depend on the thread count.
 * Loaded only when jdk.incubator.vector is in the boot layer ({@link Lanes#vector()}).
 */
final class VectorConv implements ConvPath {
  /** Largest kh·kw·C handled here; larger windows amortise im2col and pay off in the GEMM. */
  static final int MAX_TAPS = 32;

  /** Taps per register block (a 3x3 window on one channel). */
  static final int GROUP = 9;

  /** Images per weight-gradient partial sum. */
  static final int BLOCK = 8;

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private final Conv2D layer;
  private final ConvGeometry g;
  final int f;
  final int taps;
  final int groups;
  final int pairs;
  final int hp;
  final int wp;
  final int[] off;
  private Tensor x;

  /** Whether this path serves the geometry: a small window that is not the pointwise case. */
  static boolean applies(ConvGeometry g) {
    return !g.pointwise() && g.kh() * g.kw() * g.c() <= MAX_TAPS;
  }

  VectorConv(Conv2D layer) {
    this.layer = layer;
    g = layer.geo;
    f = layer.filters;
    taps = g.kh() * g.kw() * g.c();
    groups = (taps + GROUP - 1) / GROUP;
    pairs = (f + 2 * L - 1) / (2 * L);
    hp = Math.max(g.h() + g.padTop(), (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1);
    wp = Math.max(g.w() + g.padLeft(), (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1);
    off = new int[groups * GROUP];
    for (int t = 0; t < taps; t++) {
      int ky = t / (g.kw() * g.c()), kx = t / g.c() % g.kw(), ch = t % g.c();
      off[t] = (ky * g.dh() * wp + kx * g.dw()) * g.c() + ch;
    }
  }

  @Override
  public boolean biasInside() {
    return true;
  }

  /** Offset in {@link #packed} of tap t (of group q) for filter vector h of pair p. */
  private int at(int p, int q, int t, int h) {
    return ((p * groups + q) * GROUP + t) * 2 * L + h * L;
  }

  /** Offset in {@link #packed} of the bias of filter vector h of pair p. */
  private int biasAt(int p, int h) {
    return pairs * groups * GROUP * 2 * L + (2 * p + h) * L;
  }

  /** The kernel as [pair][group][tap][2][L] then the bias as [pair][2][L], zero-padded. */
  float[] packed() {
    float[] w = layer.kernel.value().toArray();
    float[] b = layer.useBias ? layer.bias.value().toArray() : new float[f];
    float[] p = new float[biasAt(pairs, 0)];
    for (int j = 0; j < 2 * pairs && j * L < f; j++) {
      int len = Math.min(L, f - j * L);
      for (int t = 0; t < taps; t++) {
        System.arraycopy(w, t * f + j * L, p, at(j / 2, t / GROUP, t % GROUP, j % 2), len);
      }
      System.arraycopy(b, j * L, p, biasAt(j / 2, j % 2), len);
    }
    return p;
  }

  /** Copies image b of x into the interior of the zero-bordered copy xp. */
  void pad(Tensor x, int b, float[] xp) {
    int c = g.c(), row = g.w() * c;
    FloatBuffer xb = x.buffer();
    for (int iy = 0; iy < g.h(); iy++) {
      xb.get((b * g.h() + iy) * row, xp, ((iy + g.padTop()) * wp + g.padLeft()) * c, row);
    }
  }

  /** Offset in the padded image of output pixel (oy, ox)'s window origin. */
  int origin(int oy, int ox) {
    return (oy * g.sh() * wp + ox * g.sw()) * g.c();
  }

  @Override
  public void forward(Tensor x, int n, Tensor y, ExecContext ctx) {
    this.x = x;
    float[] wv = packed();
    FloatBuffer yb = y.buffer();
    long work = (long) n * g.oh() * g.ow() * pairs * 2 * L * groups * GROUP;
    Parallel.forRange(
        n,
        Parallel.grain(n, work, 1 << 18),
        (lo, hi) -> {
          float[] xp = new float[hp * wp * g.c()], out = new float[g.ow() * pairs * 2 * L];
          for (int b = lo; b < hi; b++) {
            pad(x, b, xp);
            for (int oy = 0; oy < g.oh(); oy++) {
              for (int p = 0; p < pairs; p++) {
                for (int q = 0; q < groups; q++) pairRow(xp, origin(oy, 0), wv, p, q, out);
              }
              store(out, yb, (b * g.oh() + oy) * g.ow() * f);
            }
          }
        });
  }

  /** Writes an output row from out [OW][pairs·2L] to y [OW][F] at offset yo. */
  private void store(float[] out, FloatBuffer yb, int yo) {
    int fp = pairs * 2 * L;
    if (fp == f) {
      yb.put(yo, out, 0, g.ow() * f);
      return;
    }
    for (int ox = 0; ox < g.ow(); ox++) yb.put(yo + ox * f, out, ox * fp, f);
  }

  /**
   * Pair p of one output row (pixels from x0 in the padded image) from the taps of group q: per
   * pixel the bias (first group) or the row so far, plus Σ_t x_t·w_t; the 18 weight vectors stay in
   * registers and each broadcast input value feeds both filter vectors.
   */
  void pairRow(float[] xp, int x0, float[] w, int p, int q, float[] out) {
    int k = q * GROUP, a = at(p, q, 0, 0), bi = biasAt(p, 0), fp = pairs * 2 * L;
    int o0 = off[k], o1 = off[k + 1], o2 = off[k + 2], o3 = off[k + 3], o4 = off[k + 4];
    int o5 = off[k + 5], o6 = off[k + 6], o7 = off[k + 7], o8 = off[k + 8];
    FloatVector w0 = v(w, a, 0), w1 = v(w, a, 2), w2 = v(w, a, 4), w3 = v(w, a, 6);
    FloatVector w4 = v(w, a, 8), w5 = v(w, a, 10), w6 = v(w, a, 12), w7 = v(w, a, 14);
    FloatVector w8 = v(w, a, 16), u0 = v(w, a, 1), u1 = v(w, a, 3), u2 = v(w, a, 5);
    FloatVector u3 = v(w, a, 7), u4 = v(w, a, 9), u5 = v(w, a, 11), u6 = v(w, a, 13);
    FloatVector u7 = v(w, a, 15), u8 = v(w, a, 17);
    float[] src = q == 0 ? w : out;
    int step = g.sw() * g.c();
    for (int ox = 0, b = x0, i = p * 2 * L; ox < g.ow(); ox++, b += step, i += fp) {
      int si = q == 0 ? bi : i;
      FloatVector s = v(src, si, 0), c = v(src, si, 1);
      s = bc(xp, b + o0).fma(w0, s);
      s = bc(xp, b + o1).fma(w1, s);
      s = bc(xp, b + o2).fma(w2, s);
      s = bc(xp, b + o3).fma(w3, s);
      s = bc(xp, b + o4).fma(w4, s);
      s = bc(xp, b + o5).fma(w5, s);
      s = bc(xp, b + o6).fma(w6, s);
      s = bc(xp, b + o7).fma(w7, s);
      s = bc(xp, b + o8).fma(w8, s);
      c = bc(xp, b + o0).fma(u0, c);
      c = bc(xp, b + o1).fma(u1, c);
      c = bc(xp, b + o2).fma(u2, c);
      c = bc(xp, b + o3).fma(u3, c);
      c = bc(xp, b + o4).fma(u4, c);
      c = bc(xp, b + o5).fma(u5, c);
      c = bc(xp, b + o6).fma(u6, c);
      c = bc(xp, b + o7).fma(u7, c);
      c = bc(xp, b + o8).fma(u8, c);
      s.intoArray(out, i);
      c.intoArray(out, i + L);
    }
  }

  /**
   * Filter j's output at the window whose origin is c in the padded image xp, with {@link
   * #pairRow}'s exact arithmetic: the bias, then one fused multiply-add per tap in order (padded
   * taps included).
   */
  float valueAt(float[] xp, int c, float[] w, int j) {
    int p = j / (2 * L), h = j / L % 2, base = at(p, 0, 0, h) + j % L;
    float s = w[biasAt(p, h) + j % L];
    // Taps of a pair are contiguous over its groups: tap t sits 2·L floats after tap t − 1.
    for (int t = 0; t < groups * GROUP; t++) s = Math.fma(xp[c + off[t]], w[base + t * 2 * L], s);
    return s;
  }

  /** The vector at a[o + i·L]. */
  private static FloatVector v(float[] a, int o, int i) {
    return FloatVector.fromArray(S, a, o + i * L);
  }

  /** a[i] in every lane. */
  private static FloatVector bc(float[] a, int i) {
    return FloatVector.broadcast(S, a[i]);
  }

  @Override
  public void backward(Tensor gy, int n, Tensor dx, ExecContext ctx) {
    int blocks = (n + BLOCK - 1) / BLOCK, len = biasAt(pairs, 0) + L, row = g.ow() * f;
    float[][] parts = new float[blocks][];
    long work = (long) n * g.oh() * g.ow() * pairs * 2 * L * groups * GROUP;
    Parallel.forRange(
        blocks,
        Parallel.grain(blocks, work, 1 << 18),
        (lo, hi) -> {
          // Slack: a vector past F reads into the next pixel (its lanes land in dropped sums).
          float[] xp = new float[hp * wp * g.c()], gr = new float[row + 2 * L];
          for (int blk = lo; blk < hi; blk++) {
            float[] sums = new float[len];
            for (int b = blk * BLOCK; b < Math.min(n, (blk + 1) * BLOCK); b++) {
              pad(x, b, xp);
              for (int oy = 0; oy < g.oh(); oy++) {
                gy.buffer().get((b * g.oh() + oy) * row, gr, 0, row);
                gradientRow(xp, origin(oy, 0), gr, sums);
              }
            }
            parts[blk] = sums;
          }
        });
    writeGradients(parts, len);
    if (dx != null) inputGradient(gy, n, dx, packed());
  }

  /**
   * sums (laid out as {@link #packed}, plus one spare vector) += one output row's terms, filter
   * vector by vector; the bias sums ride along with the first group (later groups into the spare).
   */
  private void gradientRow(float[] xp, int x0, float[] gr, float[] sums) {
    for (int j = 0; j < 2 * pairs && j * L < f; j++) {
      for (int q = 0; q < groups; q++) {
        int bo = q == 0 ? biasAt(j / 2, j % 2) : biasAt(pairs, 0);
        tapSums(xp, x0, gr, j * L, sums, at(j / 2, q, 0, j % 2), q * GROUP, bo);
      }
    }
  }

  /**
   * For the taps k..k+8 (one group) and the filter vector whose gradient starts at go in each
   * pixel: s[so + 2t·L] += Σ_ox x_t(ox)·g(ox) and s[bo] += Σ_ox g(ox), the sums in registers over
   * the row.
   */
  private void tapSums(float[] xp, int x0, float[] gr, int go, float[] s, int so, int k, int bo) {
    int o0 = off[k], o1 = off[k + 1], o2 = off[k + 2], o3 = off[k + 3], o4 = off[k + 4];
    int o5 = off[k + 5], o6 = off[k + 6], o7 = off[k + 7], o8 = off[k + 8];
    FloatVector s0 = v(s, so, 0), s1 = v(s, so, 2), s2 = v(s, so, 4), s3 = v(s, so, 6);
    FloatVector s4 = v(s, so, 8), s5 = v(s, so, 10), s6 = v(s, so, 12), s7 = v(s, so, 14);
    FloatVector s8 = v(s, so, 16), sb = v(s, bo, 0);
    int step = g.sw() * g.c();
    for (int ox = 0, b = x0, i = go; ox < g.ow(); ox++, b += step, i += f) {
      FloatVector e = v(gr, i, 0);
      s0 = bc(xp, b + o0).fma(e, s0);
      s1 = bc(xp, b + o1).fma(e, s1);
      s2 = bc(xp, b + o2).fma(e, s2);
      s3 = bc(xp, b + o3).fma(e, s3);
      s4 = bc(xp, b + o4).fma(e, s4);
      s5 = bc(xp, b + o5).fma(e, s5);
      s6 = bc(xp, b + o6).fma(e, s6);
      s7 = bc(xp, b + o7).fma(e, s7);
      s8 = bc(xp, b + o8).fma(e, s8);
      sb = sb.add(e);
    }
    s0.intoArray(s, so);
    s1.intoArray(s, so + 2 * L);
    s2.intoArray(s, so + 4 * L);
    s3.intoArray(s, so + 6 * L);
    s4.intoArray(s, so + 8 * L);
    s5.intoArray(s, so + 10 * L);
    s6.intoArray(s, so + 12 * L);
    s7.intoArray(s, so + 14 * L);
    s8.intoArray(s, so + 16 * L);
    sb.intoArray(s, bo);
  }

  /** Kernel (and bias) gradients: the block partials added in block order, padding dropped. */
  private void writeGradients(float[][] parts, int len) {
    float[] total = parts[0].clone();
    for (int p = 1; p < parts.length; p++) {
      for (int i = 0; i < len; i++) total[i] += parts[p][i];
    }
    float[] dw = new float[taps * f], db = new float[f];
    for (int j = 0; j * L < f; j++) {
      int n = Math.min(L, f - j * L);
      for (int t = 0; t < taps; t++) {
        System.arraycopy(total, at(j / 2, t / GROUP, t % GROUP, j % 2), dw, t * f + j * L, n);
      }
      System.arraycopy(total, biasAt(j / 2, j % 2), db, j * L, n);
    }
    layer.kernel.grad().buffer().put(0, dw);
    if (layer.useBias) layer.bias.grad().buffer().put(0, db);
  }

  /** dx: per output pixel and tap, Σ_f g·w added onto a padded copy of the image's gradient. */
  private void inputGradient(Tensor gy, int n, Tensor dx, float[] wv) {
    int row = g.ow() * f, size = g.h() * g.w() * g.c();
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * g.oh() * row * taps, 1 << 18),
        (lo, hi) -> {
          float[] dp = new float[hp * wp * g.c()], gr = new float[row + L];
          for (int b = lo; b < hi; b++) {
            Arrays.fill(dp, 0f);
            for (int oy = 0; oy < g.oh(); oy++) {
              gy.buffer().get((b * g.oh() + oy) * row, gr, 0, row);
              for (int ox = 0; ox < g.ow(); ox++) scatter(gr, ox * f, wv, dp, origin(oy, ox));
            }
            unpad(dp, dx, b * size);
          }
        });
  }

  /** dp[base + off[t]] += Σ_f g[f]·w_t[f] for one output pixel whose gradient starts at gi. */
  private void scatter(float[] gr, int gi, float[] wv, float[] dp, int base) {
    for (int t = 0; t < taps; t++) {
      FloatVector s = FloatVector.zero(S);
      for (int j = 0; j * L < f; j++) {
        VectorMask<Float> m = S.indexInRange(j * L, f);
        FloatVector e = FloatVector.fromArray(S, gr, gi + j * L, m);
        s = e.fma(v(wv, at(j / 2, t / GROUP, t % GROUP, j % 2), 0), s);
      }
      dp[base + off[t]] += s.reduceLanes(VectorOperators.ADD);
    }
  }

  /** Writes the interior of the padded gradient dp to dx from offset o. */
  private void unpad(float[] dp, Tensor dx, int o) {
    int c = g.c(), row = g.w() * c;
    FloatBuffer db = dx.buffer();
    for (int iy = 0; iy < g.h(); iy++) {
      db.put(o + iy * row, dp, ((iy + g.padTop()) * wp + g.padLeft()) * c, row);
    }
  }
}
