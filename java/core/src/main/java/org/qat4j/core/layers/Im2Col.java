package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * im2col / col2im for Conv2D. The column matrix is [N·OH·OW, KH·KW·C] with column index (ky·KW +
 * kx)·C + c, matching an HWIO kernel viewed as [KH·KW·C, OUT]. Out-of-image taps are 0. Works per
 * sample on heap copies (bulk transfers to and from native memory), parallel over samples.
 */
final class Im2Col {
  /** Channel count from which col2im copies per-tap spans apart (bulk copies of C floats). */
  private static final int SLAB_MIN_C = 8;

  private Im2Col() {}

  /** One worker's heap scratch for the per-image loops: an input image, a row of columns, spans. */
  static final class Buffers {
    final float[] image;
    final float[] row;
    final float[] spans;

    /** For rows of {@code ld} columns per pixel; with ld = k + 1 the last one is the constant 1. */
    Buffers(ConvGeometry g, int ld) {
      int sample = g.h() * g.w() * g.c(), k = g.kh() * g.kw() * g.c();
      image = new float[sample];
      row = new float[g.ow() * ld];
      spans = new float[sample];
      if (ld > k) for (int o = k; o < row.length; o += ld) row[o] = 1f;
    }
  }

  /**
   * Fills {@code col} from {@code x} [N, H, W, C]. With {@code ones}, each row has one more column,
   * a constant 1, so that a GEMM against the kernel stacked on the bias adds the bias (forward) and
   * sums the bias gradient (backward) without a pass of its own.
   */
  static void im2col(Tensor x, int n, ConvGeometry g, Tensor col, boolean ones) {
    int ld = g.kh() * g.kw() * g.c() + (ones ? 1 : 0), block = g.oh() * g.ow() * ld;
    Parallel.forRange(
        n,
        (lo, hi) ->
            images(x.buffer(), lo, hi, g, col.buffer(), lo * block, ld, new Buffers(g, ld)));
  }

  /**
   * The columns of images [b0, b1) of {@code xb} [N, H, W, C], written from {@code off} on as rows
   * of {@code ld} floats (k, or k + 1 with the constant-1 column). Serial, on one worker's buffers.
   */
  static void images(
      FloatBuffer xb,
      int b0,
      int b1,
      ConvGeometry g,
      FloatBuffer cb,
      int off,
      int ld,
      Buffers buf) {
    int sample = g.h() * g.w() * g.c(), rowLen = g.ow() * ld;
    for (int b = b0, at = off; b < b1; b++) {
      xb.get(b * sample, buf.image);
      for (int oy = 0; oy < g.oh(); oy++, at += rowLen) {
        if (g.c() == 1) gatherRowSingle(buf.image, buf.row, ld, oy, g);
        else gatherRow(buf.image, buf.row, ld, oy, g);
        cb.put(at, buf.row);
      }
    }
  }

  /** One output row's columns; {@code ld} is the row stride of a column entry (k or k + 1). */
  private static void gatherRow(float[] s, float[] row, int ld, int oy, ConvGeometry g) {
    int c = g.c(), kw = g.kw(), span = kw * c;
    for (int ox = 0, o = 0; ox < g.ow(); ox++, o += ld) {
      int ix0 = ox * g.sw() - g.padLeft();
      boolean inside = g.dw() == 1 && ix0 >= 0 && ix0 + kw <= g.w();
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
        int dst = o + ky * span;
        if (iy < 0 || iy >= g.h()) {
          Arrays.fill(row, dst, dst + span, 0f);
          continue;
        }
        int rowBase = iy * g.w();
        if (inside) {
          copy(s, (rowBase + ix0) * c, row, dst, span);
          continue;
        }
        for (int kx = 0; kx < kw; kx++, dst += c) {
          int ix = ix0 + kx * g.dw();
          if (ix < 0 || ix >= g.w()) Arrays.fill(row, dst, dst + c, 0f);
          else copy(s, (rowBase + ix) * c, row, dst, c);
        }
      }
    }
  }

  /**
   * {@link #gatherRow} for one input channel, tap by tap: a strided copy along the output row
   * between zeroed ends, instead of a copy of a few floats per pixel and kernel row.
   */
  private static void gatherRowSingle(float[] s, float[] row, int ld, int oy, ConvGeometry g) {
    int ow = g.ow(), w = g.w(), sw = g.sw();
    for (int ky = 0, t = 0; ky < g.kh(); ky++) {
      int iy = oy * g.sh() - g.padTop() + ky * g.dh();
      boolean inside = iy >= 0 && iy < g.h();
      for (int kx = 0; kx < g.kw(); kx++, t++) {
        // Pixels ox in [ox0, ox1) read ix = ox·sw + shift inside [0, w).
        int shift = kx * g.dw() - g.padLeft();
        int ox0 = inside ? Math.min(ow, Math.max(0, Math.floorDiv(sw - 1 - shift, sw))) : ow;
        int ox1 = Math.max(ox0, Math.min(ow, Math.floorDiv(w - shift + sw - 1, sw)));
        for (int ox = 0; ox < ox0; ox++) row[ox * ld + t] = 0f;
        for (int ox = ox0, src = iy * w + ox0 * sw + shift; ox < ox1; ox++, src += sw)
          row[ox * ld + t] = s[src];
        for (int ox = ox1; ox < ow; ox++) row[ox * ld + t] = 0f;
      }
    }
  }

  /** System.arraycopy, but a plain loop for the few floats of a small-channel window (cheaper). */
  private static void copy(float[] src, int from, float[] dst, int to, int len) {
    if (len > 8) {
      System.arraycopy(src, from, dst, to, len);
      return;
    }
    for (int j = 0; j < len; j++) dst[to + j] = src[from + j];
  }

  /** Overwrites {@code dx} [N, H, W, C] with the scatter-add of {@code dcol}. */
  static void col2im(Tensor dcol, int n, ConvGeometry g, Tensor dx) {
    int k = g.kh() * g.kw() * g.c(), block = g.oh() * g.ow() * k;
    Parallel.forRange(
        n,
        (lo, hi) ->
            scatter(dcol.buffer(), lo * block, k, lo, hi, g, dx.buffer(), new Buffers(g, k)));
  }

  /**
   * Overwrites images [b0, b1) of {@code xb} [N, H, W, C] with the scatter-add of their column
   * rows, read from {@code off} on with row stride {@code ld} (a column beyond k is ignored).
   * Serial.
   */
  static void scatter(
      FloatBuffer cb,
      int off,
      int ld,
      int b0,
      int b1,
      ConvGeometry g,
      FloatBuffer xb,
      Buffers buf) {
    int sample = g.h() * g.w() * g.c(), rowLen = g.ow() * ld;
    boolean slabs = g.sw() == 1 && g.dw() == 1 && g.c() >= SLAB_MIN_C;
    float[] s = buf.image, row = buf.row;
    for (int b = b0, at = off; b < b1; b++) {
      Arrays.fill(s, 0f);
      for (int oy = 0; oy < g.oh(); oy++, at += rowLen) {
        cb.get(at, row);
        if (slabs) scatterSlabs(row, ld, s, buf.spans, oy, g);
        else scatterRow(row, ld, s, oy, g);
      }
      xb.put(b * sample, s);
    }
  }

  /**
   * {@link #scatterRow} for stride and dilation 1 along x: per tap, the row's entries land on one
   * contiguous span of s. They are first copied to the same span of the scratch {@code t}, so the
   * add reads both arrays at one index (C2 vectorizes that, not an add between offsets). Taps run
   * with kx descending, which is ox ascending for each input pixel: the same order of sums.
   */
  private static void scatterSlabs(
      float[] row, int k, float[] s, float[] t, int oy, ConvGeometry g) {
    int c = g.c(), kw = g.kw();
    for (int ky = 0; ky < g.kh(); ky++) {
      int iy = oy * g.sh() - g.padTop() + ky * g.dh();
      if (iy < 0 || iy >= g.h()) continue;
      for (int kx = kw - 1; kx >= 0; kx--) {
        int shift = kx - g.padLeft();
        int ox0 = Math.max(0, -shift), ox1 = Math.min(g.ow(), g.w() - shift);
        if (ox1 <= ox0) continue;
        int dst = (iy * g.w() + ox0 + shift) * c, len = (ox1 - ox0) * c;
        for (int ox = ox0, src = ox0 * k + (ky * kw + kx) * c, d = dst; ox < ox1; ox++) {
          System.arraycopy(row, src, t, d, c);
          src += k;
          d += c;
        }
        for (int j = dst; j < dst + len; j++) s[j] += t[j];
      }
    }
  }

  /** Row stride {@code k}: k of the kernel, or one more with the bias column. */
  private static void scatterRow(float[] row, int k, float[] s, int oy, ConvGeometry g) {
    int c = g.c(), kw = g.kw();
    for (int ox = 0, o = 0; ox < g.ow(); ox++, o += k) {
      int ix0 = ox * g.sw() - g.padLeft();
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
        if (iy < 0 || iy >= g.h()) continue;
        int rowBase = iy * g.w(), src = o + ky * kw * c;
        for (int kx = 0; kx < kw; kx++, src += c) {
          int ix = ix0 + kx * g.dw();
          if (ix < 0 || ix >= g.w()) continue;
          int dst = (rowBase + ix) * c;
          for (int j = 0; j < c; j++) s[dst + j] += row[src + j];
        }
      }
    }
  }

  static void zero(FloatBuffer b, int off, int len) {
    for (int j = 0; j < len; j++) b.put(off + j, 0f);
  }
}
