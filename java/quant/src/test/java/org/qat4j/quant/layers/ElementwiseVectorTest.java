package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.ir.internal.VectorApi;

/**
 * {@link ElementwiseVector} (native storage, Vector API) against {@link Elementwise}'s plain heap
 * loops, bit for bit (raw bits, NaN payloads and signs included): the affine map with each
 * activation and without a multiplier, and the activation and straight-through gates with and
 * without a mask; channel counts that leave vector and block tails, 1 and 2 threads, values at the
 * clamp ends, ±0, ±∞ and NaNs of both signs.
 */
class ElementwiseVectorTest {
  private static final int[] CHANNELS = {1, 3, 17, 32, 96};
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  @Test
  void affineActivateIsBitIdentical() {
    assertTrue(VectorApi.AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
    SplittableRandom rng = new SplittableRandom(31);
    for (int threads : new int[] {1, 2})
      for (int c : CHANNELS)
        for (Activation act : Activation.values()) {
          int rows = 9000 / c + 5;
          Tensor z = values(rng, rows * c);
          float[] mul = rng.nextBoolean() ? null : uniform(rng, c), add = uniform(rng, c);
          Tensor[] out = new Tensor[2];
          for (int path = 0; path < 2; path++) {
            VectorApi.use(path == 1);
            out[path] = Tensor.zeros(rows, c);
            Tensor o = out[path];
            ParallelThreads.run(threads, () -> Elementwise.affineActivate(z, o, mul, add, act));
          }
          assertRawBits(out[0], out[1], "c=" + c + " " + act + " threads=" + threads);
        }
  }

  @Test
  void activationMaskIsBitIdentical() {
    SplittableRandom rng = new SplittableRandom(32);
    for (int threads : new int[] {1, 2})
      for (int n : new int[] {7, 8192, 8197, 40_003})
        for (Activation act : Activation.values())
          for (boolean masked : new boolean[] {false, true}) {
            Tensor g = values(rng, n), y = values(rng, n);
            byte[] mask = masked ? new byte[n] : null;
            if (masked) for (int i = 0; i < n; i++) mask[i] = (byte) rng.nextInt(-1, 2);
            Tensor[] out = new Tensor[2];
            for (int path = 0; path < 2; path++) {
              VectorApi.use(path == 1);
              out[path] = Tensor.zeros(n);
              Tensor o = out[path];
              ParallelThreads.run(threads, () -> Elementwise.activationMask(g, y, o, act, mask));
            }
            assertRawBits(out[0], out[1], "n=" + n + " " + act + " mask=" + masked);
          }
  }

  private static void assertRawBits(Tensor want, Tensor got, String what) {
    for (int i = 0; i < want.size(); i++)
      assertEquals(
          Float.floatToRawIntBits(want.get(i)),
          Float.floatToRawIntBits(got.get(i)),
          what + " at " + i);
  }

  private static float[] uniform(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() * 3 - 1);
    return v;
  }

  /** Values in [−8, 8) with the clamp ends 0 and 6, ±0, ±∞ and NaNs of both signs sprinkled in. */
  private static Tensor values(SplittableRandom rng, int n) {
    Tensor t = Tensor.zeros(n);
    for (int i = 0; i < n; i++) {
      float v =
          switch (rng.nextInt(30)) {
            case 0 -> 0f;
            case 1 -> -0f;
            case 2 -> 6f;
            case 3 -> Float.POSITIVE_INFINITY;
            case 4 -> Float.NEGATIVE_INFINITY;
            case 5 -> Float.NaN;
            case 6 -> Float.intBitsToFloat(0xffc00000);
            default -> (float) (rng.nextDouble() * 16 - 8);
          };
      t.set(i, v);
    }
    return t;
  }
}
