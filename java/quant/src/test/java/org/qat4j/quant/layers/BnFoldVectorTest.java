package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * {@link BnFoldVector} (native storage, Vector API) against BnFold's plain heap-block loops, bit
 * for bit: statistics and ranges, the output fake-quant pass, the backward sums with and without
 * the gated copy, the input gradient gated or not, and the frozen pass's mask and sums; at 1 and 2
 * threads, channel counts that leave vector and block tails, values on grid points, half-steps,
 * range ends, ±0, ±∞ and NaN.
 */
class BnFoldVectorTest {
  private static final int[] CHANNELS = {1, 3, 17, 32, 33, 64};
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  @Test
  void surefireRunsTheVectorPath() {
    assertTrue(VectorApi.AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
  }

  @Test
  void statisticsAreBitIdentical() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int threads : new int[] {1, 2})
      for (int c : CHANNELS) {
        Tensor z = values(rng, rows(c), c, false);
        for (int which = 0; which < 3; which++) {
          // Moments and range, moments only, range only: each is its own vector loop.
          boolean moments = which < 2, range = which != 1;
          BnFold.Stats[] st =
              both(() -> ParallelThreads.with(threads, () -> BnFold.stats(z, c, moments, range)));
          assertArrayEquals(st[0].sum(), st[1].sum(), 0.0, "sum c=" + c);
          assertArrayEquals(st[0].sumSq(), st[1].sumSq(), 0.0, "sum of squares c=" + c);
          assertArrayEquals(st[0].min(), st[1].min(), 0f, "min c=" + c);
          assertArrayEquals(st[0].max(), st[1].max(), 0f, "max c=" + c);
        }
      }
  }

  @Test
  void outputPassIsBitIdentical() {
    SplittableRandom rng = new SplittableRandom(12);
    FakeQuant.Nudged[] grids = {
      FakeQuant.nudge(-1.3f, 2.9f, 8, false), FakeQuant.nudge(0f, 6f, 8, false),
      FakeQuant.nudge(-0.37f, 0.05f, 8, true), FakeQuant.nudge(0f, 0f, 8, false)
    };
    for (int c : CHANNELS)
      for (FakeQuant.Nudged n : grids)
        for (Activation act : Activation.values()) {
          int rows = 4200 / c + 3;
          Tensor z = values(rng, rows, c, true);
          float[] mul = uniform(rng, c, 0.5f, 2f), add = uniform(rng, c, -0.5f, 0.5f);
          Tensor[] out =
              both(
                  () -> {
                    Tensor o = Tensor.zeros(rows, c);
                    BnFold.affineActQuant(z, o, mul, add, act, n);
                    return o;
                  });
          assertBits(out[0], out[1], "c=" + c + " " + act + " " + n);
        }
  }

  @Test
  void backwardPassesAreBitIdentical() {
    SplittableRandom rng = new SplittableRandom(13);
    FakeQuant.Nudged n = FakeQuant.nudge(-0.8f, 1.6f, 8, false);
    for (int threads : new int[] {1, 2})
      for (int c : CHANNELS)
        for (Activation act : Activation.values()) {
          int rows = rows(c);
          Tensor z = values(rng, rows, c, true), g = values(rng, rows, c, false);
          float[] mul = uniform(rng, c, 0.5f, 2f), add = uniform(rng, c, -0.5f, 0.5f);
          float[] mean = uniform(rng, c, -0.1f, 0.1f), p = uniform(rng, c, -1f, 1f);
          BnFold.Window w = BnFold.window(act, n);
          String at = "threads=" + threads + " c=" + c + " " + act;
          Object[][] r =
              both(() -> ParallelThreads.with(threads, () -> backward(g, z, mean, mul, add, p, w)));
          for (int k = 0; k < r[0].length; k++) {
            if (r[0][k] instanceof Tensor t) assertBits(t, (Tensor) r[1][k], at + " output " + k);
            else assertArrayEquals((double[]) r[0][k], (double[]) r[1][k], 0.0, at + " sums " + k);
          }
        }
  }

  /**
   * Rows for c channels: 37 blocks and a partial one, so a chunk folds its lane sums more than once
   * at 1 and 2 threads.
   */
  private static int rows(int c) {
    return 37 * BnFold.step(c) + 5;
  }

  /** Every backward pass of BnFold on the current path; tensors and sums in a fixed order. */
  private static Object[] backward(
      Tensor g, Tensor z, float[] mean, float[] mul, float[] add, float[] p, BnFold.Window w) {
    int[] shape = z.shape();
    Tensor gated = Tensor.zeros(shape), d1 = Tensor.zeros(shape), d2 = Tensor.zeros(shape);
    Tensor d3 = Tensor.zeros(shape), masked = Tensor.zeros(shape);
    double[][] s = BnFold.gradSums(g, z, mean, mul, add, w, gated);
    double[][] s0 = BnFold.gradSums(g, z, mean, null, add, null, null);
    BnFold.bnInputGrad(g, z, mean, p, p, p, mul, add, w, d1);
    BnFold.bnInputGrad(gated, z, mean, p, mean, p, mul, add, null, d2);
    BnFold.bnInputGrad(g, z, mean, p, p, mean, null, add, w, d3);
    double[] m = BnFold.maskAndSum(g, z, add, w, masked, mean.length);
    double[] m0 = BnFold.maskAndSum(g, null, add, null, null, mean.length);
    return new Object[] {gated, d1, d2, d3, masked, s[0], s[1], s0[0], s0[1], m, m0};
  }

  /** {plain, vector} results of {@code body}. */
  @SuppressWarnings("unchecked")
  private static <T> T[] both(Supplier<T> body) {
    VectorApi.use(false);
    T plain = body.get();
    VectorApi.use(true);
    assertEquals(VectorApi.AVAILABLE, VectorApi.on());
    T vector = body.get();
    T[] r = (T[]) Array.newInstance(plain.getClass(), 2);
    r[0] = plain;
    r[1] = vector;
    return r;
  }

  private static void assertBits(Tensor want, Tensor got, String what) {
    for (int i = 0; i < want.size(); i++)
      assertEquals(
          Float.floatToIntBits(want.get(i)), Float.floatToIntBits(got.get(i)), what + " at " + i);
  }

  private static float[] uniform(SplittableRandom rng, int n, float lo, float hi) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = lo + (hi - lo) * (float) rng.nextDouble();
    return v;
  }

  /**
   * [rows, c] values in [−8, 8), on multiples of 1/64 (grid points and half-steps of most grids),
   * with ±0 and, when {@code special}, ±∞ and NaN sprinkled in.
   */
  private static Tensor values(SplittableRandom rng, int rows, int c, boolean special) {
    float[] v = new float[rows * c];
    for (int i = 0; i < v.length; i++) {
      int kind = rng.nextInt(special ? 40 : 20);
      v[i] =
          switch (kind) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> rng.nextInt(-512, 512) / 64f;
            case 20 -> Float.POSITIVE_INFINITY;
            case 21 -> Float.NEGATIVE_INFINITY;
            case 22 -> Float.NaN;
            default -> (float) (rng.nextDouble() * 16 - 8);
          };
    }
    return Tensor.of(v, rows, c);
  }
}
