package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * Adam's and the finite check's Vector API path ({@link OptimizerVector}) against the plain loops
 * on heap copies, bit for bit: every value and moment after several steps, with L2 decay on and off
 * and AdamW, on parameters whose sizes leave partial vectors and blocks, at 1, 2 and 3 threads
 * (chunks that cut through parameters), on gradients with zeros, −0, subnormals and large values.
 */
class OptimizerVectorTest {
  private static final int[] SIZES = {70_001, 3, 5_000, 40_000, 17, 1, 4_099};
  private final boolean initial = VectorApi.on();
  private final int threads = Parallel.threads();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
    Parallel.setThreads(threads);
  }

  @Test
  void adamTakesTheVectorPathWhenTheModuleIsPresent() {
    assertTrue(VectorApi.AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
    Param p = new Param("w", Tensor.zeros(40), true);
    Adam a = new Adam(1e-3);
    a.prepare("l/w", 40);
    ByteBuffer w = p.value().bytes(), g = p.grad().bytes();
    VectorApi.use(true);
    assertTrue(a.updateInPlace("l/w", w, g, 40, 0, 40, 1e-3, 1));
    assertTrue(new Sgd(0.1).updateInPlace("l/w", w, g, 40, 0, 40, 0.1, 1));
    VectorApi.use(false);
    assertFalse(a.updateInPlace("l/w", w, g, 40, 0, 40, 1e-3, 1));
    assertFalse(new Sgd(0.1).updateInPlace("l/w", w, g, 40, 0, 40, 0.1, 1));
  }

  @Test
  void adamVectorMatchesPlainBitForBit() {
    check(() -> new Adam(1e-3));
    check(() -> new Adam(LrSchedule.constant(3e-2), 0.8, 0.99, 1e-4, 1e-2));
    check(() -> new AdamW(1e-2, 5e-2));
    check(() -> new AdamW(LrSchedule.constant(1e-3), 0.5, 0.9, 1e-8, 0));
  }

  @Test
  void sgdVectorMatchesPlainBitForBit() {
    check(() -> new Sgd(0.05));
    check(() -> new Sgd(LrSchedule.constant(0.05), 0, false, 1e-3));
    check(() -> new Sgd(LrSchedule.constant(0.02), 0.9, false, 0));
    check(() -> new Sgd(LrSchedule.constant(0.02), 0.9, true, 1e-3));
  }

  private static void check(Supplier<Optimizer> make) {
    Parallel.setThreads(1);
    Run plain = run(make.get(), false, false);
    assertNotEquals(start(0)[69_999], plain.values.get(0)[69_999], "the step changed nothing");
    assertEquals(start(2)[7], plain.values.get(2)[7], "a frozen parameter moved");
    for (int t = 1; t <= 3; t++) {
      Parallel.setThreads(t);
      same(plain, run(make.get(), true, false), "vector, threads " + t);
      same(plain, run(make.get(), true, true), "vector checked, threads " + t);
    }
  }

  private static void same(Run want, Run got, String what) {
    for (int i = 0; i < SIZES.length; i++)
      assertArrayEquals(bits(want.values.get(i)), bits(got.values.get(i)), what + ", param " + i);
    assertEquals(want.slots.keySet().stream().toList(), got.slots.keySet().stream().toList());
    want.slots.forEach(
        (k, v) -> assertArrayEquals(bits(v), bits(got.slots.get(k)), what + " " + k));
  }

  @Test
  void finiteCheckFindsNanAndInfinityOnBothPaths() {
    // Positions in a vector body, in a scalar tail, and at a chunk's end (3 threads).
    int[][] poison = {{0, 0}, {0, 69_999}, {0, 70_000}, {3, 39_999}, {4, 16}, {5, 0}, {6, 4_098}};
    for (boolean vector : new boolean[] {false, true})
      for (int[] at : poison)
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -Float.MAX_VALUE * 2}) {
          VectorApi.use(vector);
          Parallel.setThreads(3);
          Map<String, Param> params = params();
          List<Param> list = new ArrayList<>(params.values());
          gradients(params, new SplittableRandom(3));
          list.get(at[0]).grad().set(at[1], bad);
          Adam a = new Adam(1e-3);
          assertEquals("l" + at[0] + "/w", a.stepIfFinite(params), "vector " + vector);
          assertEquals(0, a.iterations());
          for (int i = 0; i < SIZES.length; i++) assertArrayEquals(start(i), values(list.get(i)));
        }
  }

  private static Map<String, Param> params() {
    Map<String, Param> params = new LinkedHashMap<>();
    for (int i = 0; i < SIZES.length; i++)
      params.put("l" + i + "/w", new Param("w", Tensor.of(start(i), SIZES[i]), i != 2));
    return params;
  }

  private static float[] values(Param p) {
    return p.value().toArray();
  }

  private static int[] bits(float[] f) {
    int[] b = new int[f.length];
    for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
    return b;
  }

  private record Run(List<float[]> values, Map<String, float[]> slots) {}

  private static float[] start(int i) {
    SplittableRandom r = new SplittableRandom(i);
    float[] v = new float[SIZES[i]];
    for (int k = 0; k < v.length; k++) v[k] = k % 97 == 0 ? 0f : (float) r.nextGaussian();
    return v;
  }

  /** Gaussian gradients at scales from 1e-41 (subnormal) to 1e15, with some zeros and −0. */
  private static void gradients(Map<String, Param> params, SplittableRandom r) {
    for (Param p : params.values()) {
      if (!p.trainable()) continue;
      for (int k = 0; k < p.grad().size(); k++) {
        int kind = r.nextInt(20);
        float g = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-8, 8)));
        if (kind == 0) g = 0f;
        else if (kind == 1) g = -0f;
        else if (kind == 2) g = (float) (r.nextGaussian() * 1e-41);
        else if (kind == 3) g = (float) (r.nextGaussian() * 1e15);
        p.grad().set(k, g);
      }
    }
  }

  private static Run run(Optimizer o, boolean vector, boolean checked) {
    VectorApi.use(vector);
    Map<String, Param> params = params();
    SplittableRandom r = new SplittableRandom(7);
    for (int s = 0; s < 4; s++) {
      gradients(params, r);
      float[] g0 = params.get("l0/w").grad().toArray();
      if (checked) assertNull(o.stepIfFinite(params));
      else o.step(params);
      assertArrayEquals(g0, params.get("l0/w").grad().toArray(), "the step changed a gradient");
    }
    List<float[]> values = new ArrayList<>();
    for (Param p : params.values()) values.add(values(p));
    return new Run(values, new LinkedHashMap<>(o.slots()));
  }
}
