package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The gradient a 2×2 stride-2 max pool's backward would hand to its NHWC input z [N, H, W, C],
 * produced one group of {@link BnFoldGroups} at a time into a per-chunk heap scratch instead of a
 * full tensor: 0 + gy at each window's recorded tap (0–3, row-major), +0 at the window's other taps
 * and at rows and columns no window covers. Vector API only ({@link PoolQuantVector}).
 */
final class PoolRoute {
  private final ByteBuffer gy;
  private final float[] tap;
  private final int[] geo;
  private final ByteBuffer[] scratch;

  /**
   * @param gy the pooled gradient [N, PH, PW, C] (read only)
   * @param tap each pooled output's winning tap, as the forward pass recorded it
   * @param geo {H, W, C, PH, PW}
   * @param scratch one buffer per chunk of the groups (reused across calls; null entries are
   *     allocated here)
   */
  PoolRoute(ByteBuffer gy, float[] tap, int[] geo, ByteBuffer[] scratch) {
    this.gy = gy;
    this.tap = tap;
    this.geo = geo;
    this.scratch = scratch;
  }

  /** The number of chunk scratch buffers that [rows, c] needs. */
  static int chunks(int rows, int c) {
    return BnFoldGroups.chunks(rows, c);
  }

  /**
   * Chunk k's scratch filled with the routed gradient of z's elements [base, base + len) (whole
   * rows), element o at o − base.
   */
  ByteBuffer group(int k, int base, int len) {
    ByteBuffer d = scratch[k];
    if (d == null || d.capacity() < len * 4) {
      d = ByteBuffer.allocate(len * 4).order(ByteOrder.nativeOrder());
      scratch[k] = d;
    }
    int c = geo[2];
    PoolQuantVector.route(gy, tap, d, base / c, (base + len) / c, base, geo);
    return d;
  }
}
