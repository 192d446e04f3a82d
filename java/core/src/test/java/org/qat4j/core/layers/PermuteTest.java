package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/** Permute: output axis i is input axis dims[i] (by hand on a 2×3×1 image), gradients, bad dims. */
class PermuteTest {
  @Test
  void swapsHeightAndWidth() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3, 1);
    Permute p = Checks.build(new Permute("p", 2, 1, 3), x);
    assertArrayEquals(new int[] {3, 2, 1}, p.outputShape(new int[] {2, 3, 1}));
    assertArrayEquals(
        new float[] {1, 4, 2, 5, 3, 6},
        p.forward(new Tensor[] {x}, ExecContext.inference()).toArray());
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new Permute("p", 3, 1, 2), Checks.random(1, 2, 2, 3, 4));
    Checks.gradients(new Permute("p", 2, 1), Checks.random(2, 2, 3, 5));
  }

  @Test
  void badDimsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Permute("p", 1, 1, 2));
    assertThrows(IllegalArgumentException.class, () -> new Permute("p", 0, 1));
    assertThrows(
        RuntimeException.class, () -> new Permute("p", 2, 1).outputShape(new int[] {2, 3, 4}));
  }
}
