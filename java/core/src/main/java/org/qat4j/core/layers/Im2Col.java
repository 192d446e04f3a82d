package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import org.qat4j.core.Tensor;
import org.qat4j.core.internal.Parallel;

/**
 * im2col / col2im for Conv2D. The column matrix is [N·OH·OW, KH·KW·C] with column index
 * (ky·KW + kx)·C + c, matching an HWIO kernel viewed as [KH·KW·C, OUT]. Out-of-image taps are 0.
 */
final class Im2Col {
  private static final int BULK = 16;

  private Im2Col() {}

  /** Fills {@code col} from {@code x} [N, H, W, C]; parallel over output rows. */
  static void im2col(Tensor x, int n, ConvGeometry g, Tensor col) {
    FloatBuffer xb = x.buffer(), cb = col.buffer();
    Parallel.forRange(n * g.oh(), (lo, hi) -> {
      for (int r = lo; r < hi; r++) gatherRow(xb, cb, r / g.oh(), r % g.oh(), g);
    });
  }

  private static void gatherRow(FloatBuffer xb, FloatBuffer cb, int b, int oy, ConvGeometry g) {
    int c = g.c(), kw = g.kw(), k = g.kh() * kw * c;
    int o = ((b * g.oh() + oy) * g.ow()) * k;
    for (int ox = 0; ox < g.ow(); ox++, o += k) {
      int ix0 = ox * g.sw() - g.padLeft();
      boolean rowInside = g.dw() == 1 && ix0 >= 0 && ix0 + kw <= g.w();
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
        int dst = o + ky * kw * c;
        if (iy < 0 || iy >= g.h()) { zero(cb, dst, kw * c); continue; }
        int rowBase = (b * g.h() + iy) * g.w();
        if (rowInside) { copy(xb, (rowBase + ix0) * c, cb, dst, kw * c); continue; }
        for (int kx = 0; kx < kw; kx++, dst += c) {
          int ix = ix0 + kx * g.dw();
          if (ix < 0 || ix >= g.w()) zero(cb, dst, c);
          else copy(xb, (rowBase + ix) * c, cb, dst, c);
        }
      }
    }
  }

  /** Overwrites {@code dx} [N, H, W, C] with the scatter-add of {@code dcol}; parallel over samples. */
  static void col2im(Tensor dcol, int n, ConvGeometry g, Tensor dx) {
    FloatBuffer cb = dcol.buffer(), xb = dx.buffer();
    int sample = g.h() * g.w() * g.c();
    Parallel.forRange(n, (lo, hi) -> {
      zero(xb, lo * sample, (hi - lo) * sample);
      for (int b = lo; b < hi; b++) for (int oy = 0; oy < g.oh(); oy++) scatterRow(cb, xb, b, oy, g);
    });
  }

  private static void scatterRow(FloatBuffer cb, FloatBuffer xb, int b, int oy, ConvGeometry g) {
    int c = g.c(), kw = g.kw(), k = g.kh() * kw * c;
    int o = ((b * g.oh() + oy) * g.ow()) * k;
    for (int ox = 0; ox < g.ow(); ox++, o += k) {
      int ix0 = ox * g.sw() - g.padLeft();
      for (int ky = 0; ky < g.kh(); ky++) {
        int iy = oy * g.sh() - g.padTop() + ky * g.dh();
        if (iy < 0 || iy >= g.h()) continue;
        int rowBase = (b * g.h() + iy) * g.w();
        int src = o + ky * kw * c;
        for (int kx = 0; kx < kw; kx++, src += c) {
          int ix = ix0 + kx * g.dw();
          if (ix < 0 || ix >= g.w()) continue;
          int dst = (rowBase + ix) * c;
          for (int j = 0; j < c; j++) xb.put(dst + j, xb.get(dst + j) + cb.get(src + j));
        }
      }
    }
  }

  static void copy(FloatBuffer src, int from, FloatBuffer dst, int to, int len) {
    if (len >= BULK) { dst.put(to, src, from, len); return; }
    for (int j = 0; j < len; j++) dst.put(to + j, src.get(from + j));
  }

  static void zero(FloatBuffer b, int off, int len) {
    for (int j = 0; j < len; j++) b.put(off + j, 0f);
  }
}
