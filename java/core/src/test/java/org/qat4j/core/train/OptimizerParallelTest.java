package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * {@link Optimizer#step} splits the parameters' elements, laid end to end, over threads: the result
 * must be bit for bit the one-thread result, with slots created in the same order.
 */
class OptimizerParallelTest {
  private static final int[] SIZES = {70_001, 3, 5_000, 40_000};

  @Test
  void adamSplitMatchesOneThread() {
    check(() -> new Adam(1e-3));
  }

  @Test
  void adamWithL2AndAdamWSplitMatchOneThread() {
    check(() -> new Adam(LrSchedule.constant(1e-2), 0.9, 0.999, 1e-7, 1e-3));
    check(() -> new AdamW(1e-2, 1e-2));
  }

  @Test
  void sgdSplitMatchesOneThread() {
    check(() -> new Sgd(LrSchedule.constant(0.05), 0.9, true, 1e-3));
    check(() -> new Sgd(0.05));
  }

  private static void check(Supplier<Optimizer> make) {
    int threads = Parallel.threads();
    try {
      Parallel.setThreads(1);
      Run one = run(make.get(), false);
      Parallel.setThreads(3); // 115,004 elements: three chunks that cut through parameters
      Run three = run(make.get(), false);
      Run checked = run(make.get(), true);
      for (int i = 0; i < SIZES.length; i++)
        assertArrayEquals(one.values.get(i), checked.values.get(i));
      for (int i = 0; i < SIZES.length; i++)
        assertArrayEquals(one.values.get(i), three.values.get(i));
      assertEquals(one.slots.keySet().stream().toList(), three.slots.keySet().stream().toList());
      one.slots.forEach((k, v) -> assertArrayEquals(v, three.slots.get(k), k));
      assertNotEquals(one.values.get(0)[69_999], start(0)[69_999], "the step changed nothing");
      assertEquals(start(2)[7], one.values.get(2)[7], "a frozen parameter moved");
    } finally {
      Parallel.setThreads(threads);
    }
  }

  @Test
  void nonFiniteGradientIsNamedAndNothingChanges() {
    int threads = Parallel.threads();
    try {
      Parallel.setThreads(3);
      for (float poison : new float[] {Float.NaN, Float.NEGATIVE_INFINITY}) {
        Map<String, Param> params = params();
        for (Param p : params.values()) if (p.trainable()) p.grad().set(p.grad().size() - 1, 0.5f);
        params.get("l3/w").grad().set(39_999, poison); // last element: the last chunk's end
        Adam a = new Adam(1e-3);
        assertEquals("l3/w", a.stepIfFinite(params));
        assertEquals(0, a.iterations());
        assertEquals(0, a.slots().size());
        assertArrayEquals(start(0), values(params.get("l0/w")));
      }
    } finally {
      Parallel.setThreads(threads);
    }
  }

  private static Map<String, Param> params() {
    Map<String, Param> params = new LinkedHashMap<>();
    for (int i = 0; i < SIZES.length; i++)
      params.put("l" + i + "/w", new Param("w", Tensor.of(start(i), SIZES[i]), i != 2));
    return params;
  }

  private static float[] values(Param p) {
    float[] v = new float[p.value().size()];
    p.value().buffer().get(0, v, 0, v.length);
    return v;
  }

  private record Run(List<float[]> values, Map<String, float[]> slots) {}

  private static float[] start(int i) {
    SplittableRandom r = new SplittableRandom(i);
    float[] v = new float[SIZES[i]];
    for (int k = 0; k < v.length; k++) v[k] = (float) r.nextGaussian();
    return v;
  }

  private static Run run(Optimizer o, boolean checked) {
    Map<String, Param> params = params();
    SplittableRandom r = new SplittableRandom(7);
    for (int s = 0; s < 3; s++) {
      for (Param p : params.values())
        if (p.trainable())
          for (int k = 0; k < p.grad().size(); k++) p.grad().set(k, (float) r.nextGaussian());
      if (checked) assertNull(o.stepIfFinite(params));
      else o.step(params);
    }
    List<float[]> values = new ArrayList<>();
    for (Param p : params.values()) values.add(values(p));
    return new Run(values, new LinkedHashMap<>(o.slots()));
  }
}
