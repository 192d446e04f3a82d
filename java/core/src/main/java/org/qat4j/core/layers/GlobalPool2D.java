package org.qat4j.core.layers;

import java.util.Arrays;
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;

/**
 * A reduction over height and width, NHWC [N, H, W, C] → [N, C]: the shape rules both global pools
 * share.
 */
abstract class GlobalPool2D extends Layer {
  GlobalPool2D(String name) {
    super(name);
  }

  @Override
  public final int[] outputShape(int[]... in) {
    int[] s = single(in);
    if (s.length != 3)
      throw shapeError("expects an image input [H, W, C], got " + Arrays.toString(s));
    return new int[] {s[2]};
  }

  /** The shape of {@code x}, which must be a batch of images [N, H, W, C]. */
  final int[] imageBatch(Tensor x) {
    if (x.rank() != 4)
      throw new IllegalArgumentException("layer '" + name() + "' expects [N, H, W, C], got " + x);
    return x.shape();
  }
}
