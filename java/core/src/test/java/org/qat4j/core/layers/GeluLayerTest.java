package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/** Gelu: forward values of both forms against their definitions, and gradient checks. */
class GeluLayerTest {
  private static float[] fwd(Gelu l, Tensor x) {
    Checks.build(l, x);
    return l.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
  }

  @Test
  void erfFormIsXTimesTheNormalCdf() {
    // Φ(1) = 0.8413447460685429, Φ(−1) = 0.15865525393145707, Φ(2) = 0.9772498680518208
    float[] y = fwd(new Gelu("g", false), Tensor.of(new float[] {1, -1, 2, 0}, 1, 4));
    assertEquals(0.8413447460685429, y[0], 1e-7);
    assertEquals(-0.15865525393145707, y[1], 1e-7);
    assertEquals(2 * 0.9772498680518208, y[2], 2e-7);
    assertEquals(0, y[3], 0);
  }

  @Test
  void approximateFormIsTheTanhFormula() {
    float[] x = {-3, -0.7f, 0.2f, 1.5f, 4};
    float[] y = fwd(new Gelu("g", true), Tensor.of(x, 1, x.length));
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      double want = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
      assertEquals(want, y[i], 2e-7 * Math.max(1, Math.abs(want)), "x = " + v);
    }
  }

  @Test
  void gradientsOfBothForms() {
    int[] shape = {2, 3, 4, 2};
    Checks.gradients(new Gelu("g", false), Checks.random(21, shape));
    Checks.gradients(new Gelu("ga", true), Checks.random(22, shape));
  }
}
