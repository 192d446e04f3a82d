package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

class ActivationLayersTest {
  private static float[] fwd(Layer l, float... v) {
    Tensor x = Tensor.of(v, 1, v.length);
    Checks.build(l, x);
    return l.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
  }

  @Test
  void forwardValues() {
    assertArrayEquals(new float[] {0, 0, 2.5f}, fwd(new ReLU("r"), -1, 0, 2.5f));
    assertArrayEquals(new float[] {0, 3, 6}, fwd(new ReLU6("r6"), -2, 3, 7.5f));
    assertArrayEquals(
        new float[] {0, -1f / 3, 0, 5f / 3, 5}, fwd(new HardSwish("hs"), -4, -1, 0, 2, 5), 1e-6f);
    float[] s = fwd(new Sigmoid("s"), 0, 2, -200, 200);
    assertEquals(0.5f, s[0], 1e-7);
    assertEquals(1 / (1 + Math.exp(-2)), s[1], 1e-6);
    assertEquals(0f, s[2], 1e-30);
    assertEquals(1f, s[3], 0f);
  }

  @Test
  void gradientsAwayFromKinks() {
    int[] shape = {3, 4, 5};
    Checks.gradients(new ReLU("r"), Checks.avoiding(1, -3, 3, new float[] {0}, shape));
    Checks.gradients(new ReLU6("r6"), Checks.avoiding(2, -2, 8, new float[] {0, 6}, shape));
    Checks.gradients(new HardSwish("hs"), Checks.avoiding(3, -5, 5, new float[] {-3, 3}, shape));
    Checks.gradients(new Sigmoid("s"), Checks.random(4, shape).reshape(3, 20));
    Checks.gradients(new Softmax("sm"), Checks.random(5, 3, 2, 7));
  }

  @Test
  void softmaxIsStableAndNormalized() {
    float[] y = fwd(new Softmax("sm"), 1000f, 1001f, -1000f, 999f);
    double sum = 0;
    for (float v : y) {
      assertTrue(Float.isFinite(v));
      sum += v;
    }
    assertEquals(1.0, sum, 1e-6);
    assertEquals(Math.exp(1) / (1 + Math.E + Math.exp(-1)), y[1], 1e-6);
    assertEquals(0f, y[2], 1e-30);
  }

  @Test
  void softmaxWorksOnLastAxisOfImages() {
    Tensor x = Checks.random(6, 2, 3, 3, 4);
    Softmax sm = Checks.build(new Softmax("sm"), x);
    Tensor y = sm.forward(new Tensor[] {x}, ExecContext.inference());
    for (int r = 0; r < 18; r++) {
      double s = 0;
      for (int j = 0; j < 4; j++) s += y.get(r * 4 + j);
      assertEquals(1.0, s, 1e-6, "row " + r);
    }
  }
}
