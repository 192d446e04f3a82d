package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;

/**
 * im2col's one-channel path (tap by tap) fills exactly the column matrix of the definition, with
 * padding, strides, dilation and the bias's constant-1 column; the many-channel path too.
 */
class Im2ColTest {
  /** Column entry (ky·KW + kx)·C + c of output pixel (b, oy, ox): the input there, else 0. */
  private static float[] reference(float[] x, int n, ConvGeometry g, boolean ones) {
    int c = g.c(), k = g.kh() * g.kw() * c, ld = k + (ones ? 1 : 0);
    float[] col = new float[n * g.oh() * g.ow() * ld];
    for (int b = 0, r = 0; b < n; b++)
      for (int oy = 0; oy < g.oh(); oy++)
        for (int ox = 0; ox < g.ow(); ox++, r++) {
          if (ones) col[r * ld + k] = 1f;
          for (int ky = 0; ky < g.kh(); ky++)
            for (int kx = 0; kx < g.kw(); kx++) {
              int iy = oy * g.sh() - g.padTop() + ky * g.dh();
              int ix = ox * g.sw() - g.padLeft() + kx * g.dw();
              if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
              for (int j = 0; j < c; j++)
                col[r * ld + (ky * g.kw() + kx) * c + j] =
                    x[((b * g.h() + iy) * g.w() + ix) * c + j];
            }
        }
    return col;
  }

  private static void agrees(int h, int w, int c, int k, Padding pad, int s, int d, boolean ones) {
    Conv2D conv = new Conv2D("c", 2, k, k).padding(pad).strides(s, s).dilation(d, d);
    conv.build(new int[][] {{h, w, c}}, new SplittableRandom(1));
    ConvGeometry g = conv.geo;
    int n = 2, ld = k * k * c + (ones ? 1 : 0);
    Tensor x = Checks.random(5, n, h, w, c);
    Tensor col = Tensor.zeros(n * g.oh() * g.ow(), ld);
    col.fill(Float.NaN);
    Im2Col.im2col(x, n, g, col, ones);
    String what = h + "x" + w + "x" + c + " k" + k + " " + pad + " s" + s + " d" + d;
    assertArrayEquals(reference(x.toArray(), n, g, ones), col.toArray(), what);
  }

  @Test
  void oneChannelColumnsAreTheDefinition() {
    agrees(28, 28, 1, 3, Padding.VALID, 1, 1, true);
    agrees(7, 6, 1, 3, Padding.SAME, 1, 1, true);
    agrees(9, 8, 1, 4, Padding.SAME, 2, 1, false);
    agrees(8, 9, 1, 3, Padding.SAME, 1, 2, true);
    agrees(5, 7, 1, 3, Padding.VALID, 2, 2, false);
    agrees(2, 3, 1, 5, Padding.SAME, 3, 1, true);
  }

  @Test
  void manyChannelColumnsAreTheDefinition() {
    agrees(13, 13, 32, 3, Padding.VALID, 1, 1, true);
    agrees(7, 6, 3, 3, Padding.SAME, 2, 1, false);
  }
}
