package org.qat4j.quant.quantizers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * {@link FakeQuant#apply}'s straight-through mask on the Vector API ({@link FakeQuantVector})
 * against the plain loop and {@link FakeQuant#passes}: the same bytes and the same outputs for
 * per-tensor and per-channel grids (one zero), sizes that leave vector tails (the kernels run from
 * {@link FakeQuant#VECTOR_MIN} elements on), and inputs at the nudged ends, just outside them, ±0,
 * ±∞ and NaN.
 */
class FakeQuantVectorTest {
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  @Test
  void maskAndOutputsAreTheSameOnBothPaths() {
    assertTrue(VectorApi.AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
    SplittableRandom r = new SplittableRandom(21);
    for (int c : new int[] {1, 3, 17})
      for (int size : new int[] {c * 7, c * 4099, c * 70_000}) {
        FakeQuant.Nudged[] g = new FakeQuant.Nudged[c];
        for (int ch = 0; ch < c; ch++)
          g[ch] =
              ch == 1
                  ? FakeQuant.nudge(0f, 0f, 8, true)
                  : FakeQuant.nudge(-0.5f - ch, 1f + ch, 8, ch % 2 == 0);
        Tensor in = inputs(r, g, size);
        for (boolean perChannel : new boolean[] {false, true}) {
          if (!perChannel && c > 1) continue;
          byte[][] masks = new byte[2][size];
          Tensor[] outs = {Tensor.zeros(size), Tensor.zeros(size)};
          for (int path = 0; path < 2; path++) {
            VectorApi.use(path == 1);
            FakeQuant.apply(in.buffer(), outs[path].buffer(), size, g, masks[path], perChannel);
          }
          assertArrayEquals(masks[0], masks[1], "c=" + c + " size=" + size);
          for (int i = 0; i < size; i++) {
            // NaN never passes in apply (passes() lets it through on a zero grid).
            float x = in.get(i);
            int want = !Float.isNaN(x) && FakeQuant.passes(x, g[i % c]) ? 1 : 0;
            assertEquals(want, masks[1][i], "x=" + x);
            assertEquals(
                Float.floatToIntBits(outs[0].get(i)), Float.floatToIntBits(outs[1].get(i)));
          }
        }
      }
  }

  /**
   * The per-tensor tensor entry (native storage, broadcast constants) against the plain heap loop:
   * the same mask bytes and output bits for both kernel forms, a narrow and a one-sided grid, in
   * place and not, without a mask, sizes that leave vector tails or run in parallel chunks, at 1
   * and 2 threads. A zero grid takes the old path.
   */
  @Test
  void perTensorEntryMatchesThePlainLoop() {
    SplittableRandom r = new SplittableRandom(22);
    int before = Parallel.threads();
    try {
      for (int threads : new int[] {1, 2})
        for (FakeQuant.Nudged n :
            new FakeQuant.Nudged[] {
              FakeQuant.nudge(-1.3f, 2.9f, 8, false),
              FakeQuant.nudge(-0.37f, 0.37f, 8, true),
              FakeQuant.nudge(0f, 6f, 4, false),
              FakeQuant.nudge(0f, 0f, 8, false)
            })
          for (int size : new int[] {5, 4099, 70_001}) {
            Parallel.setThreads(threads);
            Tensor in = inputs(r, new FakeQuant.Nudged[] {n}, size);
            for (int variant = 0; variant < 4; variant++)
              compareEntries(in, n, size, variant % 2 == 1, variant >= 2);
          }
    } finally {
      Parallel.setThreads(before);
    }
  }

  private static void compareEntries(
      Tensor in, FakeQuant.Nudged n, int size, boolean perChannel, boolean inPlace) {
    FakeQuant.Nudged[] g = {n};
    byte[] want = new byte[size], got = new byte[size];
    Tensor plain = Tensor.zeros(size), vec = inPlace ? in.copy() : Tensor.zeros(size);
    VectorApi.use(false);
    FakeQuant.apply(in.buffer(), plain.buffer(), size, g, want, perChannel);
    VectorApi.use(true);
    FakeQuant.apply(inPlace ? vec : in, vec, size, g, inPlace ? null : got, perChannel);
    String at = n + " size=" + size + " perChannel=" + perChannel + " inPlace=" + inPlace;
    if (!inPlace) assertArrayEquals(want, got, at);
    for (int i = 0; i < size; i++)
      assertEquals(Float.floatToIntBits(plain.get(i)), Float.floatToIntBits(vec.get(i)), at);
  }

  private static Tensor inputs(SplittableRandom r, FakeQuant.Nudged[] g, int size) {
    Tensor in = Tensor.zeros(size);
    for (int i = 0; i < size; i++) {
      FakeQuant.Nudged n = g[i % g.length];
      float x =
          switch (r.nextInt(10)) {
            case 0 -> n.nudgedMin();
            case 1 -> n.nudgedMax();
            case 2 -> Math.nextDown(n.nudgedMin());
            case 3 -> Math.nextUp(n.nudgedMax());
            case 4 -> r.nextBoolean() ? 0f : -0f;
            case 5 -> r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            case 6 -> Float.NaN;
            default -> (float) (r.nextDouble() * 8 - 4);
          };
      in.set(i, x);
    }
    return in;
  }
}
