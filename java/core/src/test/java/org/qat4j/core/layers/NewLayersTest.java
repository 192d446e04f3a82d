package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Forward values, gradient checks and bad shapes of the issue-14 layers (merge and activations).
 */
class NewLayersTest {
  private static float[] fwd(Layer l, Tensor... x) {
    Checks.build(l, x);
    return l.forward(x, ExecContext.inference()).toArray();
  }

  private static Tensor row(float... v) {
    return Tensor.of(v, 1, v.length);
  }

  @Test
  void mergeForwardValues() {
    Tensor a = row(1, -2, 3, 0.5f), b = row(4, -5, 3, -1);
    assertArrayEquals(new float[] {-3, 3, 0, 1.5f}, fwd(new Subtract("s"), a, b));
    assertArrayEquals(new float[] {4, -2, 3, 0.5f}, fwd(new Maximum("mx"), a, b));
    assertArrayEquals(new float[] {1, -5, 3, -1}, fwd(new Minimum("mn"), a, b));
    assertArrayEquals(new float[] {2.5f, -3.5f, 3, -0.25f}, fwd(new Average("av"), a, b));
    assertArrayEquals(
        new float[] {2, -3, 3, 0}, fwd(new Average("av3"), a, b, row(1, -2, 3, 0.5f)), 1e-6f);
  }

  @Test
  void activationForwardValues() {
    Tensor x = row(-2, -0.5f, 0, 1.5f);
    assertArrayEquals(new float[] {-0.2f, -0.05f, 0, 1.5f}, fwd(new LeakyReLU("l", 0.1f), x));
    float[] t = fwd(new Tanh("t"), x);
    for (int i = 0; i < 4; i++) assertEquals(Math.tanh(x.get(i)), t[i], 1e-7);
    float[] e = fwd(new ELU("e"), x);
    assertArrayEquals(
        new float[] {(float) Math.expm1(-2), (float) Math.expm1(-0.5), 0, 1.5f}, e, 0f);
  }

  @Test
  void preluSharesAlphaOverTheSharedAxes() {
    PReLU p = new PReLU("p", 1, 2);
    Tensor x = Checks.random(3, 2, 3, 4, 5);
    Checks.build(p, x);
    assertArrayEquals(new int[] {1, 1, 5}, p.alpha().value().shape());
    for (int c = 0; c < 5; c++) p.alpha().value().set(c, 0.1f * (c + 1));
    Tensor y = p.forward(new Tensor[] {x}, ExecContext.inference());
    for (int i = 0; i < x.size(); i++) {
      float v = x.get(i);
      assertEquals(v >= 0 ? v : v * 0.1f * (i % 5 + 1), y.get(i), 1e-7f);
    }
  }

  @Test
  void gradients() {
    int[] shape = {2, 3, 3, 4};
    Checks.gradients(new Subtract("s"), Checks.random(1, shape), Checks.random(2, shape));
    Checks.gradients(new Maximum("mx"), Checks.distinct(3, shape), Checks.distinct(4, shape));
    Checks.gradients(new Minimum("mn"), Checks.distinct(5, shape), Checks.distinct(6, shape));
    Checks.gradients(
        new Average("av"),
        Checks.random(7, shape),
        Checks.random(8, shape),
        Checks.random(9, shape));
    float[] zero = {0};
    Checks.gradients(new LeakyReLU("l", 0.2f), Checks.avoiding(10, -3, 3, zero, shape));
    Checks.gradients(new Tanh("t"), Checks.random(11, shape));
    Checks.gradients(new ELU("e"), Checks.avoiding(12, -3, 3, zero, shape));
    PReLU p = new PReLU("p", 1, 2);
    Tensor x = Checks.avoiding(13, -3, 3, zero, shape);
    Checks.build(p, x);
    for (int c = 0; c < 4; c++) p.alpha().value().set(c, 0.05f + 0.1f * c);
    var r = GradientCheck.check(p, new Tensor[] {x}, 1e-2, 60, 5);
    assertTrue(r.maxRelError() < Checks.TOL, "PReLU: " + r);
    Checks.gradients(new PReLU("p2"), Checks.avoiding(14, -3, 3, zero, shape));
  }

  @Test
  void badShapesAndSettingsAreRefusedByName() {
    var e =
        assertThrows(
            ShapeException.class,
            () -> new Subtract("s").outputShape(new int[] {3}, new int[] {4}));
    assertEquals(true, e.getMessage().contains("'s'"), e.getMessage());
    assertThrows(ShapeException.class, () -> new Maximum("m").outputShape(new int[] {3}));
    assertThrows(ShapeException.class, () -> new Average("a").outputShape(new int[] {3}));
    assertThrows(ShapeException.class, () -> new PReLU("p", 3).outputShape(new int[] {4, 4}));
    assertThrows(IllegalArgumentException.class, () -> new PReLU("p", 0));
    assertThrows(IllegalArgumentException.class, () -> new LeakyReLU("l", Float.NaN));
  }
}
