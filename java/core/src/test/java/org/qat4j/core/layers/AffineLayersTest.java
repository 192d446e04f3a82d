package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * Rescaling (x · scale + offset) and Normalization ((x − mean) / √variance per channel) by hand,
 * their gradients, and bad settings refused.
 */
class AffineLayersTest {
  @Test
  void rescalingMapsBytesToMinusOneToOne() {
    Tensor x = Tensor.of(new float[] {0f, 127.5f, 255f}, 1, 3);
    Rescaling l = Checks.build(new Rescaling("r", 1f / 127.5f, -1f), x);
    assertArrayEquals(
        new float[] {-1f, 0f, 1f},
        l.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
        1e-6f);
  }

  @Test
  void normalizationStandardizesEachChannel() {
    Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f}, 1, 1, 2, 2);
    Normalization l =
        Checks.build(new Normalization("n", new float[] {1f, 0f}, new float[] {4f, 0.25f}), x);
    assertArrayEquals(
        new float[] {0f, 4f, 1f, 8f},
        l.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
        1e-6f);
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new Rescaling("r", -0.75f, 0.5f), Checks.random(1, 2, 3, 2, 2));
    Checks.gradients(
        new Normalization("n", new float[] {0.5f, -1f, 2f}, new float[] {2f, 0.5f, 9f}),
        Checks.random(2, 2, 2, 3, 3));
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Rescaling("r", Float.NaN, 0f));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Normalization("n", new float[] {0f}, new float[] {-1f}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Normalization("n", new float[] {0f, 1f}, new float[] {1f}));
    assertThrows(
        RuntimeException.class,
        () ->
            new Normalization("n", new float[] {0f, 1f}, new float[] {1f, 1f})
                .outputShape(new int[] {4, 3}));
  }
}
