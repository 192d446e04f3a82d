package org.qat4j.core.data;

import java.util.SplittableRandom;

/** Applies an {@link Augmentation} to one HWC sample. */
final class Augmenter {
  private Augmenter() {}

  /** Writes the augmented copy of the sample at {@code src[off…]} into {@code dst}. */
  static void apply(
      Augmentation a, float[] src, int off, int[] shape, float[] dst, SplittableRandom rng) {
    int h = shape[0], w = shape[1], c = shape[2];
    int p = a.padding();
    int dy = p > 0 ? rng.nextInt(2 * p + 1) - p : 0;
    int dx = p > 0 ? rng.nextInt(2 * p + 1) - p : 0;
    boolean flip = a.horizontalFlip() && rng.nextBoolean();
    for (int y = 0; y < h; y++) {
      int sy = y + dy;
      for (int x = 0; x < w; x++) {
        int sx = (flip ? w - 1 - x : x) + dx;
        int d = (y * w + x) * c;
        if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
          for (int k = 0; k < c; k++) dst[d + k] = 0f;
        } else {
          System.arraycopy(src, off + (sy * w + sx) * c, dst, d, c);
        }
      }
    }
  }
}
