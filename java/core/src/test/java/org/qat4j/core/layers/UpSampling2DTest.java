package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * UpSampling2D: nearest repeats pixels, bilinear interpolates with half-pixel centres as TensorFlow
 * (by hand on a 1×2 row), gradients against central differences, bad sizes refused.
 */
class UpSampling2DTest {
  private static float[] run(UpSampling2D l, Tensor x) {
    Checks.build(l, x);
    return l.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
  }

  @Test
  void nearestRepeatsEachPixel() {
    Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f}, 1, 2, 2, 1);
    assertArrayEquals(
        new float[] {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4},
        run(new UpSampling2D("u", 2, 3, false), x));
  }

  @Test
  void bilinearUsesHalfPixelCentres() {
    // row [a, b] ×2: sources −0.25, 0.25, 0.75, 1.25 → a, a + ¼(b − a), a + ¾(b − a), b
    Tensor x = Tensor.of(new float[] {2f, 6f}, 1, 1, 2, 1);
    assertArrayEquals(new float[] {2f, 3f, 5f, 6f}, run(new UpSampling2D("u", 1, 2, true), x));
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new UpSampling2D("u", 2, 3, false), Checks.random(1, 2, 3, 2, 2));
    Checks.gradients(new UpSampling2D("u", 3, 2, true), Checks.random(2, 2, 2, 3, 2));
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new UpSampling2D("u", 0, 2, false));
    assertThrows(
        RuntimeException.class,
        () -> new UpSampling2D("u", 2, 2, false).outputShape(new int[] {4}));
  }
}
