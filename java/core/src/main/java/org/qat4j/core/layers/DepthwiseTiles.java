package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Loops of {@link DepthwiseConv2D} on NHWC data for any stride, dilation, padding and depth
 * multiplier m, built so that the JIT vectorizes them. A sample is held zero-padded and split into
 * sh·sw phases (padded pixel (y, x) goes to phase (y mod sh, x mod sw) at (y / sh, x / sw)), each
 * channel repeated m times: in that layout the inputs of one tap (ky, kx) for a block of output
 * rows are one contiguous run, laid out as the output grid (rows of {@code wq ≥ ow} columns; the
 * extra columns are computed and dropped). A tap is then one bulk copy and one long loop in which
 * every array has the same index (the JIT does not vectorize loops whose arrays are offset against
 * each other, as it cannot rule out that they alias). Not thread-safe: one instance per layer call,
 * one {@link Scratch} per worker.
 */
final class DepthwiseTiles {
  /** Target elements per block of output rows (one tap loop). */
  private static final int BLOCK = 2048;

  private final ConvGeometry g;
  private final int m;
  private final int cm;
  private final int wq;
  private final int phaseLen;
  private final int rows;
  private final int[] tapOff;
  private final int ayMax;

  DepthwiseTiles(ConvGeometry g, int m) {
    this.g = g;
    this.m = m;
    this.cm = g.c() * m;
    int hp = Math.max((g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1, g.padTop() + g.h());
    int wp = Math.max((g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1, g.padLeft() + g.w());
    int hq = (hp + g.sh() - 1) / g.sh();
    this.wq = (wp + g.sw() - 1) / g.sw();
    // slack past a phase: the dropped columns of the last row read up to (kw-1)·dw/sw further
    this.phaseLen = (hq * wq + (g.kw() - 1) * g.dw() / g.sw()) * cm;
    int blocks = Math.max(1, (g.oh() * wq * cm + BLOCK - 1) / BLOCK);
    this.rows = (g.oh() + blocks - 1) / blocks;
    this.ayMax = (g.kh() - 1) * g.dh() / g.sh();
    tapOff = new int[g.kh() * g.kw()];
    for (int ky = 0; ky < g.kh(); ky++) {
      for (int kx = 0; kx < g.kw(); kx++) {
        int y = ky * g.dh(), x = kx * g.dw();
        int phase = (y % g.sh()) * g.sw() + x % g.sw();
        tapOff[ky * g.kw() + kx] = phase * phaseLen + ((y / g.sh()) * wq + x / g.sw()) * cm;
      }
    }
  }

  /** Number of blocks of output rows per sample. */
  int blocks() {
    return (g.oh() + rows - 1) / rows;
  }

  /** A worker's scratch arrays; {@code backward}: with the per-sample gradient arrays. */
  Scratch scratch(boolean backward) {
    int sample = g.sh() * g.sw() * phaseLen, taps = g.kh() * g.kw();
    return new Scratch(sample, backward ? taps : 0, rows * wq * cm, g.w() * g.c());
  }

  /**
   * Per tap, its weight vector [C·m] repeated over a block's grid (forward), or over a sample's
   * phase layout (backward): [taps][length].
   */
  float[][] tile(float[] w, boolean backward) {
    float[][] t = new float[g.kh() * g.kw()][];
    int len = backward ? g.sh() * g.sw() * phaseLen : rows * wq * cm;
    for (int k = 0; k < t.length; k++) t[k] = repeat(w, k * cm, len);
    return t;
  }

  /** The vector v[off, off + C·m) repeated to {@code len} elements (a multiple of C·m). */
  float[] repeat(float[] v, int off, int len) {
    float[] r = new float[len];
    for (int p = 0; p < len; p += cm) System.arraycopy(v, off, r, p, cm);
    return r;
  }

  /** Length of a block's grid, rows·wq·C·m. */
  int blockLen() {
    return rows * wq * cm;
  }

  /** Input rows [from, to) of sample bi into the phase layout {@code xp}. */
  private void load(FloatBuffer xb, int bi, int from, int to, Scratch s) {
    int wc = g.w() * g.c(), c = g.c(), sh = g.sh(), sw = g.sw();
    for (int iy = from; iy < to; iy++) {
      int y = iy + g.padTop(), yo = (y % sh) * sw * phaseLen + (y / sh) * wq * cm;
      if (sw == 1 && m == 1) {
        xb.get((bi * g.h() + iy) * wc, s.xp, yo + g.padLeft() * c, wc);
        continue;
      }
      xb.get((bi * g.h() + iy) * wc, s.nhwc, 0, wc);
      for (int ix = 0; ix < g.w(); ix++) {
        int x = ix + g.padLeft(), base = yo + (x % sw) * phaseLen + (x / sw) * cm;
        if (m == 1) {
          System.arraycopy(s.nhwc, ix * c, s.xp, base, c);
          continue;
        }
        for (int ci = 0; ci < c; ci++) {
          float v = s.nhwc[ix * c + ci];
          for (int k = 0, j = base + ci * m; k < m; k++) s.xp[j + k] = v;
        }
      }
    }
  }

  /**
   * Output block b of sample bi: {@code init} (the tiled bias) plus every tap in (ky, kx) order,
   * the activation, then the rows written to {@code yb}.
   */
  void forwardBlock(
      FloatBuffer xb,
      FloatBuffer yb,
      int bi,
      int b,
      float[][] tw,
      float[] init,
      Activation act,
      Scratch s) {
    int r0 = b * rows, nr = Math.min(rows, g.oh() - r0), len = nr * wq * cm;
    int from = r0 * g.sh() - g.padTop(), to = (r0 + nr + ayMax) * g.sh() - g.padTop();
    load(xb, bi, Math.max(0, from), Math.min(g.h(), to), s);
    System.arraycopy(init, 0, s.out, 0, len);
    for (int t = 0; t < tw.length; t++) {
      System.arraycopy(s.xp, tapOff[t] + r0 * wq * cm, s.xs, 0, len);
      addProduct(s.out, s.xs, tw[t], 0, len);
    }
    int oc = g.ow() * cm;
    for (int r = 0; r < nr; r++) {
      act.apply(s.out, r * wq * cm, oc);
      yb.put(((bi * g.oh()) + r0 + r) * oc, s.out, r * wq * cm, oc);
    }
  }

  /**
   * Back-propagates samples [b0, b1): dx of each sample to {@code dxb}, and the kernel and bias
   * gradients summed into {@code out} (per position over the samples first, then over the
   * positions). {@code tw} comes from {@code tile(w, true)}.
   */
  void backward(
      FloatBuffer xb,
      FloatBuffer gb,
      FloatBuffer dxb,
      int b0,
      int b1,
      float[][] tw,
      Grads out,
      Scratch s) {
    for (float[] a : s.accW) Arrays.fill(a, 0f);
    float[] accB = out.db() == null ? null : new float[s.out.length];
    for (int bi = b0; bi < b1; bi++) {
      load(xb, bi, 0, g.h(), s);
      Arrays.fill(s.dxp, 0f);
      for (int b = 0; b < blocks(); b++) backwardBlock(gb, bi, b, tw, accB, s);
      store(dxb, bi, s);
    }
    for (int t = 0; t < s.accW.length; t++) sumPositions(s.accW[t], s.gs, out.dw(), t * cm);
    if (accB != null) sumPositions(accB, s.gs, out.db(), 0);
  }

  /**
   * Gradient block b of sample bi. Per tap, the gradient block is copied to where that tap's inputs
   * lie in the phase layout, so that dW (g·x, summed per position) and dx (g·w) are loops with one
   * index. Taps run in reverse, so that every dx element sums its terms in (oy, ox) order.
   */
  private void backwardBlock(FloatBuffer gb, int bi, int b, float[][] tw, float[] accB, Scratch s) {
    int r0 = b * rows, nr = Math.min(rows, g.oh() - r0), len = nr * wq * cm, oc = g.ow() * cm;
    // s.out holds the gradient rows; its dropped columns are never written and stay zero
    for (int r = 0; r < nr; r++) gb.get(((bi * g.oh()) + r0 + r) * oc, s.out, r * wq * cm, oc);
    if (accB != null) addProduct(accB, s.out, null, 0, len);
    for (int t = tw.length - 1; t >= 0; t--) {
      int src = tapOff[t] + r0 * wq * cm;
      System.arraycopy(s.out, 0, s.gs, src, len);
      addProduct(s.accW[t], s.gs, s.xp, src, src + len);
      addProduct(s.dxp, s.gs, tw[t], src, src + len);
    }
  }

  /** dx of sample bi from the phase layout: back to NHWC, the m copies of a channel summed. */
  private void store(FloatBuffer dxb, int bi, Scratch s) {
    int wc = g.w() * g.c(), c = g.c(), sh = g.sh(), sw = g.sw();
    for (int iy = 0; iy < g.h(); iy++) {
      int y = iy + g.padTop(), yo = (y % sh) * sw * phaseLen + (y / sh) * wq * cm;
      if (sw == 1 && m == 1) {
        dxb.put((bi * g.h() + iy) * wc, s.dxp, yo + g.padLeft() * c, wc);
        continue;
      }
      for (int ix = 0; ix < g.w(); ix++) {
        int x = ix + g.padLeft(), base = yo + (x % sw) * phaseLen + (x / sw) * cm;
        if (m == 1) {
          System.arraycopy(s.dxp, base, s.nhwc, ix * c, c);
          continue;
        }
        for (int ci = 0; ci < c; ci++) {
          float v = s.dxp[base + ci * m];
          for (int k = 1; k < m; k++) v += s.dxp[base + ci * m + k];
          s.nhwc[ix * c + ci] = v;
        }
      }
      dxb.put((bi * g.h() + iy) * wc, s.nhwc, 0, wc);
    }
  }

  /**
   * out[off + j] += Σ over the positions p of acc[p·C·m + j], summed pairwise: the upper half of
   * the positions is copied to {@code tmp} and added onto the lower half until one position is left
   * (same-index loops, which the JIT vectorizes). Overwrites acc.
   */
  private void sumPositions(float[] acc, float[] tmp, float[] out, int off) {
    for (int p = acc.length / cm; p > 1; ) {
      int half = p / 2, keep = p - half;
      System.arraycopy(acc, keep * cm, tmp, 0, half * cm);
      addProduct(acc, tmp, null, 0, half * cm);
      p = keep;
    }
    for (int j = 0; j < cm; j++) out[off + j] += acc[j];
  }

  /**
   * acc[i] += a[i] · b[i] (b null: a[i]) for i in [lo, hi): one index for all arrays, so the JIT
   * vectorizes it.
   */
  private static void addProduct(float[] acc, float[] a, float[] b, int lo, int hi) {
    if (b == null) {
      for (int i = lo; i < hi; i++) acc[i] += a[i];
      return;
    }
    for (int i = lo; i < hi; i++) acc[i] += a[i] * b[i];
  }

  /**
   * Per-worker scratch: a sample in the phase layout; a block's output (or gradient) and one tap's
   * inputs; an NHWC row; for backward, in the phase layout: the input gradient, the shifted
   * gradient block and per tap the dW terms.
   */
  static final class Scratch {
    final float[] xp;
    final float[] out;
    final float[] xs;
    final float[] nhwc;
    final float[] dxp;
    final float[] gs;
    final float[][] accW;

    Scratch(int sampleLen, int taps, int blockLen, int rowLen) {
      xp = new float[sampleLen];
      out = new float[blockLen];
      xs = new float[taps > 0 ? 0 : blockLen];
      nhwc = new float[rowLen];
      dxp = new float[taps > 0 ? sampleLen : 0];
      gs = new float[dxp.length];
      accW = new float[taps][dxp.length];
    }
  }

  /** A group's kernel gradient [taps·C·m] and bias gradient [C·m] (null without bias). */
  record Grads(float[] dw, float[] db) {}
}
