package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.gemm.JavaGemm;
import org.qat4j.ir.internal.Parallel;

/**
 * Conv2D's tiled im2col path against the convolution written out in double (output, kernel, bias
 * and input gradients) for batches that do not divide into whole tiles, with padding, strides,
 * dilation, with and without bias, with the columns kept from forward (small batches) or recomputed
 * in backward, on OpenBLAS and the Java GEMM; and bit for bit the same results at 1, 2 and 3 layer
 * threads.
 */
class TiledConvTest {
  // Small windows take VectorConv when the Vector API is present: pin these cases to the im2col
  // path.
  private final boolean vector = Lanes.vector();

  @BeforeEach
  void im2colPath() {
    Lanes.useVector(false);
  }

  @AfterEach
  void restore() {
    Lanes.useVector(vector);
  }

  /** One convolution: geometry, the layer and its random input and output gradient. */
  private record Case(Conv2D conv, Tensor x, Tensor gy, String what) {}

  private static Case make(
      int n, int h, int c, int f, int k, Padding pad, int s, int d, boolean b) {
    Conv2D conv = new Conv2D("c", f, k, k).padding(pad).strides(s, s).dilation(d, d).useBias(b);
    conv.build(new int[][] {{h, h, c}}, new SplittableRandom(1));
    if (b) for (int i = 0; i < f; i++) conv.bias().value().set(i, 0.1f * i - 0.2f);
    ConvGeometry g = conv.geo;
    Tensor x = Checks.random(n * 31L + c, n, h, h, c), gy = Checks.random(5, n, g.oh(), g.ow(), f);
    return new Case(
        conv,
        x,
        gy,
        n + "x" + h + "x" + h + "x" + c + " f" + f + " k" + k + " " + pad + " s" + s + " d" + d
            + " bias=" + b);
  }

  /** {y, dW, db, dx} by the definition, accumulated in double. */
  private static float[][] reference(Case t) {
    ConvGeometry g = t.conv.geo;
    int n = t.x.dim(0), c = g.c(), f = t.conv.filters;
    float[] x = t.x.toArray(), gy = t.gy.toArray(), w = t.conv.kernel().value().toArray();
    double[] y = new double[n * g.oh() * g.ow() * f], dw = new double[w.length];
    double[] db = new double[f], dx = new double[x.length];
    for (int b = 0, o = 0; b < n; b++)
      for (int oy = 0; oy < g.oh(); oy++)
        for (int ox = 0; ox < g.ow(); ox++, o += f)
          for (int ky = 0; ky < g.kh(); ky++)
            for (int kx = 0; kx < g.kw(); kx++) {
              int iy = oy * g.sh() - g.padTop() + ky * g.dh();
              int ix = ox * g.sw() - g.padLeft() + kx * g.dw();
              if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
              int xi = ((b * g.h() + iy) * g.w() + ix) * c, wi = (ky * g.kw() + kx) * c * f;
              for (int ci = 0; ci < c; ci++)
                for (int j = 0; j < f; j++) {
                  int at = wi + ci * f + j;
                  y[o + j] += (double) x[xi + ci] * w[at];
                  dw[at] += (double) x[xi + ci] * gy[o + j];
                  dx[xi + ci] += (double) gy[o + j] * w[at];
                }
            }
    for (int o = 0; o < gy.length; o++) {
      db[o % f] += gy[o];
      if (t.conv.hasBias()) y[o] += t.conv.bias().value().get(o % f);
    }
    return new float[][] {floats(y), floats(dw), floats(db), floats(dx)};
  }

  private static float[] floats(double[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) r[i] = (float) v[i];
    return r;
  }

  /** {y, dW, db (empty without bias), dx} as the layer computes them. */
  private static float[][] run(Case t, Gemm gemm) {
    ExecContext ctx = new ExecContext(true, gemm, new SplittableRandom(0));
    float[] y = t.conv.forward(new Tensor[] {t.x}, ctx).toArray();
    float[] dx = t.conv.backward(t.gy, ctx)[0].toArray();
    float[] db = t.conv.hasBias() ? t.conv.bias().grad().toArray() : new float[0];
    return new float[][] {y, t.conv.kernel().grad().toArray(), db, dx};
  }

  private static void agrees(Case t, Gemm gemm) {
    float[][] want = reference(t), got = run(t, gemm);
    String[] part = {"y", "dW", "db", "dx"};
    for (int p = 0; p < 4; p++) {
      if (p == 2 && !t.conv.hasBias()) continue;
      Checks.close(want[p], got[p], 1e-4f, t.what + " " + gemm.name() + " " + part[p]);
    }
  }

  /** Images per tile that the L2 budget allows for this case (the batch large enough). */
  private static int fit(Case t) {
    ConvGeometry g = t.conv.geo;
    long bytes = 4L * g.oh() * g.ow() * (g.kh() * g.kw() * g.c() + (t.conv.hasBias() ? 1 : 0));
    return TiledConv.perTile(bytes, 1 << 20);
  }

  @Test
  void batchesAroundTheTileSizeMatchTheDefinition() {
    Case probe = make(1, 13, 16, 4, 3, Padding.VALID, 1, 1, true);
    int fit = fit(probe);
    assertEquals(5, fit, "13x13x16 k3 columns: 70 KB per image");
    long image = 4L * 11 * 11 * (3 * 3 * 16 + 1);
    assertTrue(13 * image <= TiledConv.KEEP_BYTES, "13 images: columns kept for backward");
    assertTrue((8 * fit + 1) * image > TiledConv.KEEP_BYTES, "41 images: columns recomputed");
    for (int n : new int[] {1, fit - 1, fit + 1, 13, 8 * fit + 1}) {
      agrees(make(n, 13, 16, 4, 3, Padding.VALID, 1, 1, true), Gemm.get());
      agrees(make(n, 13, 16, 4, 3, Padding.SAME, 1, 1, false), Gemm.get());
    }
  }

  @Test
  void stridesDilationPaddingAndChannelsMatchTheDefinition() {
    for (boolean b : new boolean[] {true, false}) {
      for (Padding pad : Padding.values()) {
        agrees(make(7, 12, 3, 5, 3, pad, 2, 1, b), Gemm.get());
        agrees(make(9, 11, 8, 3, 3, pad, 1, 2, b), Gemm.get());
        agrees(make(11, 10, 1, 4, 4, pad, 2, 2, b), Gemm.get());
        agrees(make(3, 20, 12, 6, 3, pad, 1, 1, b), Gemm.get());
      }
    }
  }

  @Test
  void javaGemmMatchesTheDefinition() {
    JavaGemm java = new JavaGemm();
    agrees(make(13, 13, 16, 4, 3, Padding.VALID, 1, 1, true), java);
    agrees(make(6, 9, 3, 5, 3, Padding.SAME, 2, 2, false), java);
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() {
    int threads = Parallel.threads();
    try {
      for (int n : new int[] {1, 5, 41, 64}) {
        float[][] one = null;
        for (int th : new int[] {1, 2, 3}) {
          Parallel.setThreads(th);
          Case t = make(n, 13, 16, 8, 3, Padding.SAME, 1, 1, true);
          float[][] got = run(t, Gemm.get());
          if (one == null) one = got;
          for (int p = 0; p < 4; p++)
            assertArrayEquals(one[p], got[p], t.what + " part " + p + " at " + th + " threads");
        }
      }
    } finally {
      Parallel.setThreads(threads);
    }
  }

  /** A second step on the same layer gives the same results (no workspace state leaks). */
  @Test
  void repeatedStepsGiveTheSameResults() {
    for (int n : new int[] {3, 41}) {
      for (boolean b : new boolean[] {true, false}) {
        Case t = make(n, 13, 16, 4, 3, Padding.SAME, 1, 1, b);
        float[][] first = run(t, Gemm.get()), second = run(t, Gemm.get());
        for (int p = 0; p < 4; p++) assertArrayEquals(first[p], second[p], t.what + " part " + p);
      }
    }
  }

  @Test
  void firstLayerSkipsTheInputGradient() {
    Case t = make(9, 10, 1, 4, 3, Padding.VALID, 1, 1, true);
    ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    t.conv.forward(new Tensor[] {t.x}, ctx);
    assertNull(t.conv.backward(t.gy, ctx, new boolean[] {false})[0]);
    Checks.close(reference(t)[1], t.conv.kernel().grad().toArray(), 1e-4f, t.what + " dW");
  }
}
