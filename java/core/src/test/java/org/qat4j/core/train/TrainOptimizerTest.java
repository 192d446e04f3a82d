package org.qat4j.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

class TrainOptimizerTest {
  private static Map<String, Param> one(float w) {
    Map<String, Param> m = new LinkedHashMap<>();
    m.put("l/w", new Param("w", Tensor.of(new float[] {w}, 1), true));
    return m;
  }

  private static float step(Optimizer o, Map<String, Param> p, float grad) {
    p.get("l/w").grad().set(0, grad);
    o.step(p);
    return p.get("l/w").value().get(0);
  }

  @Test
  void plainSgd() {
    var p = one(1f);
    assertEquals(1 - 0.1f * 2, step(new Sgd(0.1), p, 2f), 1e-7);
  }

  @Test
  void sgdMomentumTwoSteps() {
    var p = one(1f);
    Sgd o = new Sgd(LrSchedule.constant(0.1), 0.9, false, 0);
    assertEquals(1 - 0.1f * 1, step(o, p, 1f), 1e-6); // v = 1
    assertEquals(0.9f - 0.1f * (0.9f + 1), step(o, p, 1f), 1e-6); // v = 1.9
  }

  @Test
  void sgdNesterov() {
    var p = one(1f);
    Sgd o = new Sgd(LrSchedule.constant(0.1), 0.9, true, 0);
    // v = 1, update = g + μ·v = 1.9
    assertEquals(1 - 0.19f, step(o, p, 1f), 1e-6);
  }

  @Test
  void sgdL2WeightDecay() {
    var p = one(2f);
    Sgd o = new Sgd(LrSchedule.constant(0.5), 0, false, 0.1);
    assertEquals(2 - 0.5f * (1 + 0.1f * 2), step(o, p, 1f), 1e-6);
  }

  @Test
  void adamFirstStepsMoveByLr() {
    var p = one(1f);
    Adam a = new Adam(0.01);
    // bias-corrected first step: m̂ = g, v̂ = g² → step = lr·g/|g| (ε negligible)
    assertEquals(1 - 0.01f, step(a, p, 4f), 1e-6);
    // second step with g = 4 again: m̂ = 4, v̂ = 16 → again lr
    assertEquals(1 - 0.02f, step(a, p, 4f), 1e-6);
    assertEquals(2, a.iterations());
  }

  @Test
  void adamSecondStepHandComputed() {
    var p = one(0f);
    Adam a = new Adam(LrSchedule.constant(0.1), 0.5, 0.5, 1e-8, 0);
    step(a, p, 1f); // w = -0.1
    // t=2, g=3: m = 0.5·0.5 + 0.5·3 = 1.75, v = 0.5·0.5 + 0.5·9 = 4.75; m̂ = 1.75/0.75, v̂ =
    // 4.75/0.75
    double expect = -0.1 - 0.1 * (1.75 / 0.75) / Math.sqrt(4.75 / 0.75);
    assertEquals(expect, step(a, p, 3f), 1e-6);
  }

  @Test
  void adamWDecaysIndependentlyOfGradient() {
    var p = one(2f);
    AdamW a = new AdamW(0.1, 0.5);
    // zero gradient: Adam part is 0/(0+ε) = 0, decay: w·(1 − lr·wd)
    assertEquals(2 * (1 - 0.05f), step(a, p, 0f), 1e-6);
    var q = one(2f);
    Adam l2 = new Adam(LrSchedule.constant(0.1), 0.9, 0.999, 1e-7, 0.5);
    // L2 in Adam: g = wd·w = 1 → normalised step of lr
    assertEquals(2 - 0.1f, step(l2, q, 0f), 1e-6);
  }

  @Test
  void frozenParamsUntouched() {
    Map<String, Param> m = new LinkedHashMap<>();
    m.put("bn/moving_mean", new Param("moving_mean", Tensor.of(new float[] {3f}, 1), false));
    new Sgd(1).step(m);
    assertEquals(3f, m.get("bn/moving_mean").value().get(0));
  }

  @Test
  void configRoundTripAndStateRestore() {
    for (Optimizer o :
        new Optimizer[] {
          new Sgd(LrSchedule.step(0.1, 10, 0.5), 0.9, true, 1e-4),
          new Adam(LrSchedule.cosine(1e-3, 5, 100, 1e-5), 0.8, 0.99, 1e-6, 0),
          new AdamW(1e-3, 0.01)
        }) {
      Optimizer back = Optimizer.fromConfig(o.config());
      assertEquals(o.config(), back.config());
      assertEquals(o.getClass(), back.getClass());
      var p1 = one(1f);
      var p2 = one(1f);
      step(o, p1, 0.5f);
      back.restore(o.slots(), o.iterations());
      p2.get("l/w").value().set(0, p1.get("l/w").value().get(0));
      assertEquals(step(o, p1, -0.3f), step(back, p2, -0.3f), 0f);
      assertArrayEquals(
          o.slots().values().iterator().next(), back.slots().values().iterator().next());
    }
  }

  @Test
  void badHyperParameters() {
    assertThrows(
        IllegalArgumentException.class, () -> new Sgd(LrSchedule.constant(0.1), 1.5, false, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new Sgd(LrSchedule.constant(0.1), 0, true, 0));
    assertThrows(IllegalArgumentException.class, () -> new Adam(-1));
    assertThrows(
        IllegalArgumentException.class, () -> new Adam(LrSchedule.constant(0.1), 0.9, 0.999, 0, 0));
  }
}
