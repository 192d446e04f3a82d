package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
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
  void rescalingPerChannelScalesEachChannel() {
    Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 1, 1, 2, 3);
    Rescaling l =
        Checks.build(new Rescaling("r", new float[] {2f, -1f, 0.5f}, new float[] {0f, 1f, -1f}), x);
    assertArrayEquals(
        new float[] {2f, -1f, 0.5f, 8f, -4f, 2f},
        l.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
        0f);
    // a single offset with per-channel scales; the config round-trips through the registry
    Rescaling s = new Rescaling("s", new float[] {2f, -1f, 0.5f}, new float[] {1f});
    Layer back = LayerRegistry.create("Rescaling", "s", s.config());
    assertArrayEquals(new float[] {1f, 1f, 1f}, ((Rescaling) back).offsets(3), 0f);
    assertArrayEquals(new float[] {2f, -1f, 0.5f}, ((Rescaling) back).scales(3), 0f);
  }

  /** Blocks of Unary start anywhere: the channel must follow the element, not the block. */
  @Test
  void rescalingPerChannelOnALargeTensorFollowsTheChannel() {
    int n = 3 * 7001;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = i;
    Tensor x = Tensor.of(v, 1, 7001, 3);
    Rescaling l = Checks.build(new Rescaling("r", new float[] {1f, 2f, 3f}, new float[] {0f}), x);
    float[] y = l.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
    for (int i = 0; i < n; i++) assertEquals(i * (1 + i % 3), y[i], 0f, "element " + i);
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

  /** One mean and variance per element of the sample (Keras's Normalization over several axes). */
  @Test
  void normalizationPerElement() {
    Tensor x = Tensor.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f}, 2, 1, 2, 2);
    float[] mean = {1f, 0f, 3f, -4f}, var = {4f, 0.25f, 1f, 16f};
    Normalization l = Checks.build(new Normalization("n", mean, var), x);
    assertArrayEquals(
        new float[] {0f, 4f, 0f, 2f, 2f, 12f, 4f, 3f},
        l.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
        1e-6f);
    Checks.gradients(new Normalization("n", mean, var), Checks.random(4, 2, 1, 2, 2));
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new Rescaling("r", -0.75f, 0.5f), Checks.random(1, 2, 3, 2, 2));
    Checks.gradients(
        new Rescaling("r", new float[] {-0.75f, 2f}, new float[] {0.5f, -1f}),
        Checks.random(1, 2, 3, 2, 2));
    Checks.gradients(
        new Normalization("n", new float[] {0.5f, -1f, 2f}, new float[] {2f, 0.5f, 9f}),
        Checks.random(2, 2, 2, 3, 3));
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Rescaling("r", Float.NaN, 0f));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Rescaling("r", new float[] {1f, 2f}, new float[] {0f, 1f, 2f}));
    assertThrows(
        RuntimeException.class,
        () ->
            new Rescaling("r", new float[] {1f, 2f}, new float[] {0f})
                .outputShape(new int[] {4, 3}));
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
