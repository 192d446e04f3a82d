package org.qat4j.core.layers;

/**
 * The 2×2 stride-2 unpadded max pool of one channels-last sample for {@link BnActPool}, in loops
 * that read every array at one index so that JDK 17's C2 vectorizes them: each pooled row's four
 * taps are first copied apart (top-left, top-right, bottom-left, bottom-right pixels as four [OW·C]
 * arrays), then max, clamp and arg-max are flat loops. The arg-max is the first maximal tap in that
 * order (as {@link MaxPool2D#maxWindow}), found by float arithmetic instead of selects. Holds
 * per-thread scratch: one instance per worker.
 */
final class Pool2x2 {
  /** (m − v)·BIG·BIG ≥ 1 for every positive float difference, 0 for equal values. */
  private static final float BIG = 1e38f;

  private final int c;
  private final int row;
  private final int oh;
  private final int n;
  private final float[] t0;
  private final float[] t1;
  private final float[] t2;
  private final float[] t3;
  private final float[] m;
  private final float[] code;

  Pool2x2(ConvGeometry g) {
    c = g.c();
    row = g.w() * c;
    oh = g.oh();
    n = g.ow() * c;
    t0 = new float[n];
    t1 = new float[n];
    t2 = new float[n];
    t3 = new float[n];
    m = new float[n];
    code = new float[n];
  }

  /** True when {@code g} is a 2×2 stride-2 pool without padding. */
  static boolean fits(ConvGeometry g) {
    return g.kh() == 2
        && g.kw() == 2
        && g.sh() == 2
        && g.sw() == 2
        && g.dh() == 1
        && g.dw() == 1
        && g.padTop() == 0
        && g.padLeft() == 0;
  }

  /**
   * out = clamp(window max, 0, cap) and taps = the window's first maximal tap as 0..3 (top-left,
   * top-right, bottom-left, bottom-right; not gated by the activation, the backward gates by the
   * output), for the sample {@code s}; both [OH·OW·C] from offset 0.
   */
  void forward(float[] s, float cap, float[] out, float[] taps) {
    for (int oy = 0; oy < oh; oy++) {
      for (int d = 0, p = 2 * oy * row; d < n; d += c, p += 2 * c) {
        System.arraycopy(s, p, t0, d, c);
        System.arraycopy(s, p + c, t1, d, c);
        System.arraycopy(s, p + row, t2, d, c);
        System.arraycopy(s, p + row + c, t3, d, c);
      }
      maxAndCode();
      for (int j = 0; j < n; j++) m[j] = Math.min(Math.max(m[j], 0f), cap);
      System.arraycopy(m, 0, out, oy * n, n);
      System.arraycopy(code, 0, taps, oy * n, n);
    }
  }

  /**
   * m = the four taps' max, code = 0..3, the first tap equal to it (NaN gives 0). Small loops: C2
   * unrolls and vectorizes each, not one loop with all of it.
   */
  private void maxAndCode() {
    for (int j = 0; j < n; j++) m[j] = Math.max(Math.max(t0[j], t1[j]), Math.max(t2[j], t3[j]));
    // Each factor is 1 where the tap is below the max, 0 where it is maximal.
    for (int j = 0; j < n; j++) code[j] = 1f + Math.min(1f, (m[j] - t2[j]) * BIG * BIG);
    for (int j = 0; j < n; j++) code[j] = 1f + Math.min(1f, (m[j] - t1[j]) * BIG * BIG) * code[j];
    for (int j = 0; j < n; j++) code[j] = Math.min(1f, (m[j] - t0[j]) * BIG * BIG) * code[j];
  }

  /** In-sample index of each output's top-left tap, [OH·OW·C]. */
  static int[] corners(ConvGeometry g) {
    int c = g.c(), n = g.ow() * c;
    int[] at = new int[g.oh() * n];
    for (int o = 0; o < at.length; o++) {
      int oy = o / n, j = o % n;
      at[o] = 2 * oy * g.w() * c + j + (j / c) * c;
    }
    return at;
  }

  /**
   * In-sample index of tap code {@code tap} (0..3) of the window whose top-left is {@code corner}.
   */
  static int index(float tap, int corner, int c, int row) {
    int k = (int) tap;
    return corner + (k & 1) * c + (k >> 1) * row;
  }
}
