package org.qat4j.core.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * JDK Vector API kernels of {@link MaxPool2D}'s 2×2 stride-2 unpadded pool on NHWC samples, loaded
 * only when the module jdk.incubator.vector is in the boot layer ({@link Lanes#vector()}). Each
 * lane runs the plain path's sequence (running max with Math.max semantics; a later tap wins only
 * when strictly greater, so the first maximal tap in row-major order, and NaN as the plain loop
 * handles it), keeping the winning tap's number 0–3 as a float per output; the backward writes
 * every input pixel of the sample once (the gradient at the recorded tap, +0 elsewhere) instead of
 * zeroing and scattering. Offsets are in floats; channels past the last whole vector run as scalar
 * tails.
 */
final class MaxPoolVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final FloatVector ZERO = FloatVector.zero(S);

  private MaxPoolVector() {}

  /** Sample b's pooled maxima into y and winning taps into tap (both from b·perOut). */
  static void forward(ByteBuffer x, ByteBuffer y, float[] tap, int b, ConvGeometry g) {
    int c = g.c(), row = g.w() * c, perIn = g.h() * row, perOut = g.oh() * g.ow() * c;
    int[] off = {c, row, row + c};
    for (int oy = 0; oy < g.oh(); oy++)
      for (int ox = 0; ox < g.ow(); ox++) {
        int xp = b * perIn + 2 * oy * row + 2 * ox * c, o = b * perOut + (oy * g.ow() + ox) * c;
        int ch = 0;
        for (int end = S.loopBound(c); ch < end; ch += L) {
          // t starts from zero(S), not ZERO: C2 17 boxes a loop-carried vector that starts as a
          // constant.
          FloatVector m = load(x, xp + ch), t = FloatVector.zero(S);
          for (int k = 0; k < 3; k++) {
            FloatVector v = load(x, xp + off[k] + ch);
            t = t.blend(k + 1f, v.compare(VectorOperators.GT, m));
            m = m.max(v);
          }
          m.intoByteBuffer(y, (o + ch) << 2, NATIVE);
          t.intoArray(tap, o + ch);
        }
        for (; ch < c; ch++) scalarWindow(x, y, tap, xp + ch, o + ch, off);
      }
  }

  private static void scalarWindow(
      ByteBuffer x, ByteBuffer y, float[] tap, int xp, int o, int[] off) {
    float m = x.getFloat(xp << 2), t = 0f;
    for (int k = 0; k < 3; k++) {
      float v = x.getFloat((xp + off[k]) << 2);
      t = v > m ? k + 1f : t;
      m = Math.max(v, m);
    }
    y.putFloat(o << 2, m);
    tap[o] = t;
  }

  /** Sample b's input gradient: gy at each window's recorded tap, +0 at every other pixel. */
  static void backward(ByteBuffer gy, ByteBuffer dx, float[] tap, int b, ConvGeometry g) {
    int c = g.c(), row = g.w() * c, perIn = g.h() * row, perOut = g.oh() * g.ow() * c;
    int[] off = {0, c, row, row + c};
    for (int oy = 0; oy < g.oh(); oy++) {
      for (int ox = 0; ox < g.ow(); ox++) {
        int xp = b * perIn + 2 * oy * row + 2 * ox * c, o = b * perOut + (oy * g.ow() + ox) * c;
        int ch = 0;
        for (int end = S.loopBound(c); ch < end; ch += L) {
          // +0 + g, as the plain path adds the gradient into a zeroed sample (−0 becomes +0).
          FloatVector gv = ZERO.add(load(gy, o + ch)), t = FloatVector.fromArray(S, tap, o + ch);
          for (int k = 0; k < 4; k++) {
            VectorMask<Float> at = t.compare(VectorOperators.EQ, (float) k);
            ZERO.blend(gv, at).intoByteBuffer(dx, (xp + off[k] + ch) << 2, NATIVE);
          }
        }
        for (; ch < c; ch++) {
          float gv = 0f + gy.getFloat((o + ch) << 2);
          for (int k = 0; k < 4; k++)
            dx.putFloat((xp + off[k] + ch) << 2, tap[o + ch] == k ? gv : 0f);
        }
      }
      // Columns right of the last window (odd W) get no gradient.
      for (int dy = 0; dy < 2; dy++)
        zero(dx, b * perIn + (2 * oy + dy) * row + 2 * g.ow() * c, (g.w() - 2 * g.ow()) * c);
    }
    int below = 2 * g.oh() * row;
    zero(dx, b * perIn + below, perIn - below);
  }

  private static void zero(ByteBuffer d, int o, int len) {
    for (int i = 0; i < len; i++) d.putFloat((o + i) << 2, 0f);
  }

  private static FloatVector load(ByteBuffer b, int o) {
    return FloatVector.fromByteBuffer(S, b, o << 2, NATIVE);
  }
}
