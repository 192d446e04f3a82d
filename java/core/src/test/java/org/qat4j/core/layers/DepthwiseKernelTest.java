package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * DepthwiseConv2D's tiled loops against a direct double-precision reference of forward, dx, dW and
 * dbias, on odd sizes, strides 1–3 (also unequal), SAME/VALID, dilation, multipliers 1–3, batches
 * that are not a multiple of the gradient group; plus central-difference checks and thread-count
 * independence.
 */
class DepthwiseKernelTest {
  /** One configuration: input [n, h, w, c], kernel kh×kw, multiplier, strides, dilations. */
  private record Cfg(
      int n,
      int h,
      int w,
      int c,
      int kh,
      int kw,
      int m,
      boolean same,
      int sh,
      int sw,
      int dh,
      int dw) {
    DepthwiseConv2D layer() {
      return new DepthwiseConv2D("dw", kh, kw)
          .depthMultiplier(m)
          .padding(same ? Padding.SAME : Padding.VALID)
          .strides(sh, sw)
          .dilation(dh, dw)
          .activation(Activation.RELU6);
    }
  }

  private static final Cfg[] CASES = {
    new Cfg(3, 7, 5, 3, 3, 3, 1, true, 1, 1, 1, 1),
    new Cfg(3, 7, 5, 3, 3, 3, 1, false, 1, 1, 1, 1),
    new Cfg(19, 9, 7, 5, 3, 3, 1, true, 2, 2, 1, 1),
    new Cfg(2, 9, 7, 5, 3, 3, 1, false, 2, 2, 1, 1),
    new Cfg(2, 8, 8, 4, 3, 3, 1, true, 2, 2, 1, 1),
    new Cfg(2, 7, 6, 3, 3, 3, 2, true, 1, 1, 1, 1),
    new Cfg(2, 7, 6, 3, 3, 3, 2, false, 2, 2, 1, 1),
    new Cfg(2, 10, 11, 2, 3, 5, 3, true, 3, 2, 1, 1),
    new Cfg(2, 9, 9, 3, 3, 3, 1, true, 1, 2, 1, 1),
    new Cfg(2, 11, 9, 2, 3, 3, 2, true, 1, 1, 2, 2),
    new Cfg(2, 11, 9, 2, 3, 3, 1, false, 1, 1, 3, 2),
    new Cfg(17, 14, 14, 16, 3, 3, 1, true, 1, 1, 1, 1),
    new Cfg(2, 40, 40, 8, 3, 3, 1, true, 1, 1, 1, 1),
    new Cfg(1, 1, 1, 3, 3, 3, 1, true, 1, 1, 1, 1),
  };

  @Test
  void forwardAndGradientsMatchDirectReference() {
    for (Cfg cfg : CASES) {
      Tensor x = Checks.random(1, cfg.n(), cfg.h(), cfg.w(), cfg.c());
      DepthwiseConv2D l = Checks.build(cfg.layer(), x);
      for (int i = 0; i < l.bias().value().size(); i++) l.bias().value().set(i, 0.1f * i - 0.2f);
      Tensor y = l.forward(new Tensor[] {x}, ExecContext.training(1));
      Tensor gy = Checks.random(2, y.shape());
      Tensor dx = l.backward(gy, ExecContext.training(1))[0];
      double[][] want = reference(cfg, x, l, gy);
      Checks.close(toFloat(want[0]), y.toArray(), 1e-5f, cfg + " y");
      Checks.close(toFloat(want[1]), dx.toArray(), 1e-4f, cfg + " dx");
      Checks.close(toFloat(want[2]), l.kernel().grad().toArray(), 1e-4f, cfg + " dW");
      Checks.close(toFloat(want[3]), l.bias().grad().toArray(), 1e-4f, cfg + " dbias");
    }
  }

  @Test
  void rebuiltLayerAndRepeatedCallsGiveTheReferenceAgain() {
    DepthwiseConv2D l = CASES[2].layer();
    Checks.build(l, Checks.random(6, 2, 12, 12, 5));
    l.forward(new Tensor[] {Checks.random(6, 2, 12, 12, 5)}, ExecContext.training(1));
    for (int rep = 0; rep < 2; rep++) {
      Cfg cfg = CASES[2];
      Tensor x = Checks.random(7 + rep, cfg.n(), cfg.h(), cfg.w(), cfg.c());
      if (rep == 0) Checks.build(l, x);
      Tensor y = l.forward(new Tensor[] {x}, ExecContext.training(1));
      Tensor gy = Checks.random(9 + rep, y.shape());
      Tensor dx = l.backward(gy, ExecContext.training(1))[0];
      double[][] want = reference(cfg, x, l, gy);
      Checks.close(toFloat(want[0]), y.toArray(), 1e-5f, "rep " + rep + " y");
      Checks.close(toFloat(want[1]), dx.toArray(), 1e-4f, "rep " + rep + " dx");
      Checks.close(toFloat(want[2]), l.kernel().grad().toArray(), 1e-4f, "rep " + rep + " dW");
    }
  }

  @Test
  void centralDifferencesOnNewPaths() {
    for (Cfg cfg : CASES) {
      if (cfg.n() * cfg.h() * cfg.w() * cfg.c() > 2000) continue;
      Tensor x = Checks.random(3, cfg.n(), cfg.h(), cfg.w(), cfg.c());
      Checks.gradients(cfg.layer().activation(Activation.NONE), x);
    }
  }

  @Test
  void resultsDoNotDependOnThreadCount() {
    int before = Parallel.threads();
    try {
      for (Cfg cfg : new Cfg[] {CASES[2], CASES[7], CASES[11]}) {
        float[][] one = run(cfg, 1);
        for (int t : new int[] {2, 3, 5}) {
          float[][] other = run(cfg, t);
          for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], other[k], cfg + " " + t);
        }
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /** y, dx, dW, dbias with {@code threads} workers. */
  private static float[][] run(Cfg cfg, int threads) {
    Parallel.setThreads(threads);
    Tensor x = Checks.random(4, cfg.n(), cfg.h(), cfg.w(), cfg.c());
    DepthwiseConv2D l = Checks.build(cfg.layer(), x);
    Tensor y = l.forward(new Tensor[] {x}, ExecContext.training(1));
    float[] ys = y.toArray();
    float[] dx = l.backward(Checks.random(5, y.shape()), ExecContext.training(1))[0].toArray();
    return new float[][] {ys, dx, l.kernel().grad().toArray(), l.bias().grad().toArray()};
  }

  private static float[] toFloat(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return f;
  }

  /** Output geometry of a configuration: oh, ow, padTop, padLeft. */
  private static int[] geometry(Cfg f) {
    Padding p = f.same() ? Padding.SAME : Padding.VALID;
    return new int[] {
      p.outSize(f.h(), f.kh(), f.sh(), f.dh()),
      p.outSize(f.w(), f.kw(), f.sw(), f.dw()),
      p.padBefore(f.h(), f.kh(), f.sh(), f.dh()),
      p.padBefore(f.w(), f.kw(), f.sw(), f.dw())
    };
  }

  /**
   * Calls {@code tap(xIndex, wIndex)} for every input that output element o reads (o indexes [n,
   * oh, ow, C·m]).
   */
  private static void taps(Cfg f, int[] geo, int o, TapVisitor tap) {
    int cm = f.c() * f.m(), j = o % cm, ox = o / cm % geo[1], oy = o / cm / geo[1] % geo[0];
    int bi = o / cm / geo[1] / geo[0];
    for (int ky = 0; ky < f.kh(); ky++) {
      for (int kx = 0; kx < f.kw(); kx++) {
        int iy = oy * f.sh() - geo[2] + ky * f.dh(), ix = ox * f.sw() - geo[3] + kx * f.dw();
        if (iy < 0 || iy >= f.h() || ix < 0 || ix >= f.w()) continue;
        tap.visit(
            ((bi * f.h() + iy) * f.w() + ix) * f.c() + j / f.m(), (ky * f.kw() + kx) * cm + j);
      }
    }
  }

  private interface TapVisitor {
    void visit(int xi, int wi);
  }

  /** y, dx, dW, dbias from the definition, in double; gy is masked by ReLU6 of y. */
  private static double[][] reference(Cfg f, Tensor x, DepthwiseConv2D l, Tensor gy) {
    int[] geo = geometry(f);
    int cm = f.c() * f.m();
    Tensor k = l.kernel().value(), b = l.bias().value();
    double[] y = new double[f.n() * geo[0] * geo[1] * cm], dx = new double[x.size()];
    double[] dw = new double[k.size()], db = new double[cm];
    for (int o = 0; o < y.length; o++) {
      double[] s = {b.get(o % cm)};
      taps(f, geo, o, (xi, wi) -> s[0] += (double) x.get(xi) * k.get(wi));
      y[o] = Math.min(6, Math.max(0, s[0]));
      double g = s[0] <= 0 || s[0] >= 6 ? 0 : gy.get(o);
      db[o % cm] += g;
      taps(
          f,
          geo,
          o,
          (xi, wi) -> {
            dx[xi] += g * k.get(wi);
            dw[wi] += g * x.get(xi);
          });
    }
    return new double[][] {y, dx, dw, db};
  }
}
