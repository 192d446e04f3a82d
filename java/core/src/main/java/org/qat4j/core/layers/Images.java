package org.qat4j.core.layers;

import java.util.Arrays;
import org.qat4j.core.Layer;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/** The checks of the image layers: a per-sample shape [H, W, C] and a batch [N, H, W, C]. */
final class Images {
  private Images() {}

  /** {@code s}, which must be an image shape [H, W, C] for {@code layer}. */
  static int[] shape(Layer layer, int[] s) {
    if (s.length != 3)
      throw new ShapeException(
          layer.name(), "expects an image input [H, W, C], got " + Arrays.toString(s));
    return s;
  }

  /** The shape of {@code x}, which must be a batch of images [N, H, W, C] for {@code layer}. */
  static int[] batch(Layer layer, Tensor x) {
    if (x.rank() != 4)
      throw new IllegalArgumentException(
          "layer '" + layer.name() + "' expects [N, H, W, C], got " + x);
    return x.shape();
  }
}
