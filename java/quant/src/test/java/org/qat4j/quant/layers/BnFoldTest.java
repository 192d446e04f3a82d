package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * BnFold's flat (tiled) loops against per-element references: the output pass bit for bit against
 * {@link FakeQuant#quantizeVars} on values placed at grid points, half-steps, range ends and signed
 * zeros; sums and ranges against double-precision references; the gate against the window's
 * comparisons; at 1 and 2 threads, with row counts that leave a partial block.
 */
class BnFoldTest {
  private static final int[] CHANNELS = {1, 3, 17, 32, 33};

  @Test
  void outputPassIsTheFakeQuantOfTheActivatedAffineMap() {
    SplittableRandom rng = new SplittableRandom(3);
    FakeQuant.Nudged[] grids = {
      FakeQuant.nudge(-1.3f, 2.9f, 8, false),
      FakeQuant.nudge(0f, 6f, 8, false),
      FakeQuant.nudge(-0.37f, 0.05f, 8, true),
      FakeQuant.nudge(0f, 0f, 8, false)
    };
    for (int c : CHANNELS)
      for (FakeQuant.Nudged n : grids)
        for (Activation act : Activation.values()) {
          int rows = 300 + c;
          float[] mul = values(rng, c, 0.5f, 2f), add = values(rng, c, -0.5f, 0.5f);
          Tensor z = adversarial(rng, rows, c, n, mul, add), out = Tensor.zeros(rows, c);
          BnFold.affineActQuant(z, out, mul, add, act, n);
          for (int i = 0; i < z.size(); i++) {
            float y = activate(z.get(i) * mul[i % c] + add[i % c], act);
            float want = FakeQuant.quantizeVars(y, n);
            assertEquals(want, out.get(i), 0f, "c=" + c + " " + act + " " + n + " z=" + z.get(i));
          }
        }
  }

  @Test
  void statisticsAndRangesMatchReferences() {
    SplittableRandom rng = new SplittableRandom(4);
    for (int threads : new int[] {1, 2})
      for (int c : CHANNELS) {
        int rows = 5000 / c + 7;
        Tensor z = Tensor.of(values(rng, rows * c, -3f, 5f), rows, c);
        BnFold.Stats st = ParallelThreads.with(threads, () -> BnFold.stats(z, c, true, true));
        for (int ch = 0; ch < c; ch++) {
          double s = 0, s2 = 0;
          float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
          for (int r = 0; r < rows; r++) {
            float v = z.get(r * c + ch);
            s += v;
            s2 += (double) v * v;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
          assertEquals(s, st.sum()[ch], 1e-5 * rows, "sum c=" + c);
          assertEquals(s2, st.sumSq()[ch], 1e-5 * s2, "sum of squares c=" + c);
          assertEquals(lo, st.min()[ch], 0f, "min c=" + c);
          assertEquals(hi, st.max()[ch], 0f, "max c=" + c);
        }
      }
  }

  @Test
  void backwardSumsAndInputGradientApplyTheWindowOnce() {
    boolean initial = VectorApi.on();
    try {
      VectorApi.use(false);
      checkBackward();
      assertTrue(VectorApi.AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
      VectorApi.use(true);
      assertEquals(VectorApi.AVAILABLE, VectorApi.on());
      checkBackward();
    } finally {
      VectorApi.use(initial);
    }
  }

  /** gradSums and bnInputGrad against the window's comparisons, on the current gate path. */
  private static void checkBackward() {
    SplittableRandom rng = new SplittableRandom(5);
    FakeQuant.Nudged n = FakeQuant.nudge(-0.8f, 1.6f, 8, false);
    for (int threads : new int[] {1, 2})
      for (int c : CHANNELS)
        for (Activation act : Activation.values()) {
          int rows = 4100 / c + 3;
          float[] mul = values(rng, c, 0.5f, 2f), add = values(rng, c, -0.5f, 0.5f);
          float[] mean = values(rng, c, -0.1f, 0.1f), p = values(rng, c, -1f, 1f);
          Tensor z = adversarial(rng, rows, c, n, mul, add);
          Tensor g = Tensor.of(values(rng, rows * c, -1f, 1f), rows, c);
          Tensor gated = Tensor.zeros(rows, c), dz = Tensor.zeros(rows, c);
          BnFold.Window w = BnFold.window(act, n);
          double[][] s =
              ParallelThreads.with(threads, () -> BnFold.gradSums(g, z, mean, mul, add, w, gated));
          BnFold.bnInputGrad(gated, z, mean, p, p, p, mul, add, null, dz);
          double[] s1 = new double[c], s2 = new double[c];
          for (int i = 0; i < z.size(); i++) {
            int ch = i % c;
            float y = z.get(i) * mul[ch] + add[ch];
            boolean pass = y > w.lo() && y < w.hi() && y + 0f >= w.qlo() && y <= w.qhi();
            float gg = pass ? g.get(i) : 0f;
            assertEquals(gg, gated.get(i), 0f, "gate c=" + c + " " + act + " y=" + y);
            assertEquals(p[ch] * gg + p[ch] * (z.get(i) - mean[ch]) + p[ch], dz.get(i), 0f);
            s1[ch] += gg;
            s2[ch] += gg * (z.get(i) - mean[ch]);
          }
          for (int ch = 0; ch < c; ch++) {
            assertEquals(s1[ch], s[0][ch], 1e-4 * rows, "Σg c=" + c);
            assertEquals(s2[ch], s[1][ch], 1e-4 * rows, "Σg(z-mean) c=" + c);
          }
        }
  }

  private static float activate(float y, Activation act) {
    return switch (act) {
      case NONE -> y;
      case RELU -> Math.max(y, 0f);
      case RELU6 -> Math.min(Math.max(y, 0f), 6f);
    };
  }

  private static float[] values(SplittableRandom rng, int n, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * (float) rng.nextDouble();
    return v;
  }

  /**
   * z whose pre-activation y = z·mul + add lands (up to the rounding of the inverse map) on grid
   * points, half-steps between them, the nudged range's ends, 0, −0 and 6, or anywhere in a wide
   * range; every fifth element is exactly ±0.
   */
  private static Tensor adversarial(
      SplittableRandom rng, int rows, int c, FakeQuant.Nudged n, float[] mul, float[] add) {
    float s = n.zero() ? 0.01f : n.scale();
    float[] v = new float[rows * c];
    for (int i = 0; i < v.length; i++) {
      int ch = i % c, kind = rng.nextInt(6), k = rng.nextInt(-20, 280);
      float y =
          switch (kind) {
            case 0 -> n.nudgedMin() + k * s;
            case 1 -> n.nudgedMin() + (k + 0.5f) * s;
            case 2 -> rng.nextBoolean() ? n.nudgedMin() : n.nudgedMax();
            case 3 -> rng.nextBoolean() ? 0f : 6f;
            default -> (float) (rng.nextDouble() * 16 - 8);
          };
      v[i] = i % 5 == 0 ? (rng.nextBoolean() ? 0f : -0f) : (y - add[ch]) / mul[ch];
    }
    return Tensor.of(v, rows, c);
  }
}
