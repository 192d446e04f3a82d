package org.qat4j.core.layers;

/**
 * The 2×2 stride-2 unpadded max pool of one channels-last sample for {@link BnActPool}, in loops
 * that read every array at one index so that JDK 17's C2 vectorizes them: each pooled row's four
 * taps are first copied apart (top-left, top-right, bottom-left, bottom-right pixels as four [OW·C]
 * arrays), then max, clamp and arg-max are flat loops. The arg-max is the first maximal tap in that
 * order (as {@link MaxPool2D#maxWindow}), found by float arithmetic instead of selects, and kept as
 * its in-sample index in a float (exact below 2²⁴; C2 vectorizes neither int selects nor
 * float-to-int casts, so the backward casts while it gathers). Holds per-thread scratch: one
 * instance per worker.
 */
final class Pool2x2 {
  /** (m − v)·BIG·BIG ≥ 1 for every positive float difference, 0 for equal values. */
  private static final float BIG = 1e38f;

  /** Samples up to this many floats keep exact float indices. */
  private static final int EXACT = 1 << 24;

  private final int c;
  private final int row;
  private final int oh;
  private final int n;
  private final float[] t0;
  private final float[] t1;
  private final float[] t2;
  private final float[] t3;
  private final float[] m;
  private final float[] at;
  private final float[] corner;

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
    at = new float[n];
    corner = new float[n];
    for (int j = 0; j < n; j++) corner[j] = j + (j / c) * c;
  }

  /**
   * True when {@code g} is a 2×2 stride-2 pool without padding on samples small enough for exact
   * float indices.
   */
  static boolean fits(ConvGeometry g) {
    return g.kh() == 2
        && g.kw() == 2
        && g.sh() == 2
        && g.sw() == 2
        && g.dh() == 1
        && g.dw() == 1
        && g.padTop() == 0
        && g.padLeft() == 0
        && 2 * g.oh() <= g.h() // SAME on an odd size pads below or right: a window leaves the input
        && 2 * g.ow() <= g.w()
        && (long) g.h() * g.w() * g.c() < EXACT;
  }

  /**
   * out = clamp(window max, 0, cap) and idx = the in-sample index of the window's first maximal tap
   * (not gated by the activation, the backward gates by the output), for the sample {@code s}; both
   * [OH·OW·C] from offset 0. A NaN window gets a NaN index (cast to int: 0, inside the sample).
   */
  void forward(float[] s, float cap, float[] out, float[] idx) {
    for (int oy = 0; oy < oh; oy++) {
      for (int d = 0, p = 2 * oy * row; d < n; d += c, p += 2 * c) {
        System.arraycopy(s, p, t0, d, c);
        System.arraycopy(s, p + c, t1, d, c);
        System.arraycopy(s, p + row, t2, d, c);
        System.arraycopy(s, p + row + c, t3, d, c);
      }
      maxAndIndex(2 * oy * row);
      for (int j = 0; j < n; j++) m[j] = Math.min(Math.max(m[j], 0f), cap);
      System.arraycopy(m, 0, out, oy * n, n);
      System.arraycopy(at, 0, idx, oy * n, n);
    }
  }

  /**
   * m = the four taps' max; at = top + the first maximal tap's offset in the window (0, C, row or
   * row + C): with b_k = 1 where tap k is below the max and 0 where it is maximal, the offset is
   * b0·(C + b1·(row − C + b2·C)). Small loops: C2 unrolls and vectorizes each, not one loop with
   * all of it.
   */
  private void maxAndIndex(int top) {
    float fc = c, rest = row - c, base = top;
    for (int j = 0; j < n; j++) m[j] = Math.max(Math.max(t0[j], t1[j]), Math.max(t2[j], t3[j]));
    for (int j = 0; j < n; j++) at[j] = rest + Math.min(1f, (m[j] - t2[j]) * BIG * BIG) * fc;
    for (int j = 0; j < n; j++) at[j] = fc + Math.min(1f, (m[j] - t1[j]) * BIG * BIG) * at[j];
    for (int j = 0; j < n; j++)
      at[j] = (base + corner[j]) + Math.min(1f, (m[j] - t0[j]) * BIG * BIG) * at[j];
  }
}
