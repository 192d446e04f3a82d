package org.qat4j.core.layers;

import org.qat4j.core.Layer;

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
    int[] s = Images.shape(this, single(in));
    return new int[] {s[2]};
  }
}
