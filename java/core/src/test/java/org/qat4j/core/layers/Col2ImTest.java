package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

/**
 * col2im's per-tap spans (stride and dilation 1 along x, C ≥ 8) give bit for bit the scatter-add of
 * a plain loop over output pixels and taps in row-major order, with padding, strides and dilation
 * along y; a Conv2D on such a geometry passes finite differences.
 */
class Col2ImTest {
  private static ConvGeometry geometry(int h, int w, int c, int k, Padding pad, int sh, int dh) {
    Conv2D conv = new Conv2D("c", 3, k, k).padding(pad).strides(sh, 1).dilation(dh, 1);
    conv.build(new int[][] {{h, w, c}}, new SplittableRandom(1));
    return conv.geo;
  }

  /**
   * dx by the definition: every column entry added to its input pixel, oy, ox, ky, kx ascending.
   */
  private static float[] reference(float[] col, int n, ConvGeometry g) {
    int c = g.c(), k = g.kh() * g.kw() * c;
    float[] dx = new float[n * g.h() * g.w() * c];
    for (int b = 0; b < n; b++)
      for (int oy = 0; oy < g.oh(); oy++)
        for (int ox = 0; ox < g.ow(); ox++)
          for (int ky = 0; ky < g.kh(); ky++)
            for (int kx = 0; kx < g.kw(); kx++) {
              int iy = oy * g.sh() - g.padTop() + ky * g.dh();
              int ix = ox * g.sw() - g.padLeft() + kx * g.dw();
              if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
              int src = ((b * g.oh() + oy) * g.ow() + ox) * k + (ky * g.kw() + kx) * c;
              int dst = ((b * g.h() + iy) * g.w() + ix) * c;
              for (int j = 0; j < c; j++) dx[dst + j] += col[src + j];
            }
    return dx;
  }

  private static void agrees(int h, int w, int c, int k, Padding pad, int sh, int dh) {
    ConvGeometry g = geometry(h, w, c, k, pad, sh, dh);
    int n = 3, rows = n * g.oh() * g.ow();
    Tensor col = Checks.random(7, rows, g.kh() * g.kw() * c);
    Tensor dx = Tensor.zeros(n, h, w, c);
    dx.fill(Float.NaN);
    Im2Col.col2im(col, n, g, dx);
    float[] want = reference(col.toArray(), n, g), got = dx.toArray();
    for (int i = 0; i < want.length; i++)
      assertEquals(
          Float.floatToRawIntBits(want[i]),
          Float.floatToRawIntBits(got[i]),
          h + "x" + w + "x" + c + " k" + k + " " + pad + " sh" + sh + " dh" + dh + " at " + i);
  }

  @Test
  void spansMatchThePlainScatterBitForBit() {
    agrees(13, 13, 32, 3, Padding.VALID, 1, 1);
    agrees(7, 9, 8, 3, Padding.SAME, 1, 1);
    agrees(8, 6, 9, 4, Padding.SAME, 2, 1);
    agrees(9, 7, 16, 3, Padding.VALID, 1, 2);
    agrees(5, 2, 8, 3, Padding.SAME, 1, 1);
  }

  @Test
  void convWithManyChannelsPassesFiniteDifferences() {
    Tensor x = Checks.random(3, 2, 5, 4, 8);
    Checks.gradients(new Conv2D("c", 3, 3, 3).padding(Padding.SAME), x);
  }
}
