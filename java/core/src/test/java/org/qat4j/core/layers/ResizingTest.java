package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Resizing with TensorFlow's half-pixel centres by hand on a row of 4 and of 2 (down and up by
 * non-whole factors), gradients, bad sizes refused.
 */
class ResizingTest {
  private static float[] run(Resizing l, Tensor x) {
    Checks.build(l, x);
    return l.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
  }

  @Test
  void bilinearDownAndUpUseHalfPixelCentres() {
    // 4 → 3: scale 4/3, sources (o + ½)·4/3 − ½ = 1/6, 3/2, 17/6
    Tensor x = Tensor.of(new float[] {0f, 6f, 12f, 18f}, 1, 1, 4, 1);
    assertArrayEquals(new float[] {1f, 9f, 17f}, run(new Resizing("r", 1, 3, true), x), 1e-5f);
    // 2 → 3: scale 2/3, sources −1/6 (clamped to a), ½, 7/6 (clamped to b)
    Tensor y = Tensor.of(new float[] {0f, 6f}, 1, 1, 2, 1);
    assertArrayEquals(new float[] {0f, 3f, 6f}, run(new Resizing("r", 1, 3, true), y), 1e-5f);
  }

  @Test
  void nearestPicksTheHalfPixelSource() {
    // 4 → 3: ⌊(o + ½)·4/3⌋ = 0, 2, 3
    Tensor x = Tensor.of(new float[] {0f, 6f, 12f, 18f}, 1, 1, 4, 1);
    assertArrayEquals(new float[] {0f, 12f, 18f}, run(new Resizing("r", 1, 3, false), x));
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new Resizing("r", 3, 5, true), Checks.random(1, 2, 4, 3, 2));
    Checks.gradients(new Resizing("r", 5, 2, false), Checks.random(2, 2, 3, 3, 2));
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Resizing("r", 0, 2, true));
    assertThrows(
        RuntimeException.class, () -> new Resizing("r", 2, 2, true).outputShape(new int[] {4}));
  }
}
