package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/** Cropping2D: keeps the window by hand on a 3×4 image, gradients, bad cropping refused. */
class Cropping2DTest {
  @Test
  void keepsTheInnerWindow() {
    float[] v = new float[12];
    for (int i = 0; i < v.length; i++) v[i] = i;
    Tensor x = Tensor.of(v, 1, 3, 4, 1);
    Cropping2D l = Checks.build(new Cropping2D("c", 1, 0, 1, 2), x);
    assertArrayEquals(new int[] {2, 1, 1}, l.outputShape(new int[] {3, 4, 1}));
    assertArrayEquals(
        new float[] {5, 9}, l.forward(new Tensor[] {x}, ExecContext.inference()).toArray());
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new Cropping2D("c", 1, 2, 0, 1), Checks.random(1, 2, 5, 4, 3));
  }

  @Test
  void badCroppingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Cropping2D("c", -1, 0, 0, 0));
    assertThrows(
        RuntimeException.class,
        () -> new Cropping2D("c", 2, 1, 0, 0).outputShape(new int[] {3, 4, 1}));
  }
}
