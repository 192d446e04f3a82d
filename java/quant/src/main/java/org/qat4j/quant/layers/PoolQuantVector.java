package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels of {@link BlockPoolQat} on NHWC tensors, loaded only when {@code
 * VectorApi.on()}: a QAT block's output fake-quant fused with the 2×2 stride-2 max pool after it,
 * and the pool's gradient routing. Every output value is the one the block's output pass ({@link
 * BnFoldVector#affineActQuant}: the same lane operations, or its scalar tail) and core's vector max
 * pool (a running Math.max-style max; a later tap wins only when strictly greater) give, so the
 * fused path is bit-identical to the two layers. Channels past the last whole vector run scalar.
 * geo = {H, W, C, PH, PW}.
 */
final class PoolQuantVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private PoolQuantVector() {}

  /**
   * Sample b: y = the max over each window of fq(act(z·mul + add)) and tap = its first maximal tap
   * (0–3 as a float); k = {bottom, top, nudged min, nudged max, scale, qzero} as in {@link
   * BnFoldVector#affineActQuant}.
   */
  static void forward(
      ByteBuffer z, ByteBuffer y, float[] tap, int b, int[] geo, float[][] ma, float[] k) {
    int c = geo[2], row = geo[1] * c, ph = geo[3], pw = geo[4];
    int[] off = {0, c, row, row + c};
    float lo = Math.max(k[0], k[2]), hi = Math.min(k[1], k[3]), nmin = k[2], s = k[4], qz = k[5];
    float magic = BnFold.MAGIC;
    for (int py = 0; py < ph; py++)
      for (int px = 0; px < pw; px++) {
        int zp = b * geo[0] * row + 2 * py * row + 2 * px * c, o = ((b * ph + py) * pw + px) * c;
        int ch = 0;
        for (int end = S.loopBound(c); ch < end; ch += L) {
          FloatVector m = FloatVector.fromArray(S, ma[0], ch),
              a = FloatVector.fromArray(S, ma[1], ch);
          // As the block's output pass (lane for lane), then core's pool over the four values;
          // max(−∞, v) = v, so the first tap starts the running max (as a fresh vector: a
          // loop-carried vector from a constant, or under a branch, is boxed by C2 17).
          FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
          FloatVector t = FloatVector.zero(S);
          for (int q = 0; q < 4; q++) {
            FloatVector xc =
                FloatVector.fromByteBuffer(S, z, (zp + off[q] + ch) << 2, NATIVE)
                    .mul(m)
                    .add(a)
                    .max(lo)
                    .min(hi);
            FloatVector u = xc.sub(nmin).div(s).sub(qz).add(0.5f);
            FloatVector r = u.add(magic).sub(magic);
            FloatVector v = r.blend(r.sub(1f), r.compare(VectorOperators.GT, u)).mul(s);
            t = t.blend((float) q, v.compare(VectorOperators.GT, best));
            best = best.max(v);
          }
          best.intoByteBuffer(y, (o + ch) << 2, NATIVE);
          t.intoArray(tap, o + ch);
        }
        for (; ch < c; ch++) scalarWindow(z, y, tap, zp + ch, o + ch, off, ma[0][ch], ma[1][ch], k);
      }
  }

  /** One channel of one window, as the block's scalar tail and core's scalar pool. */
  private static void scalarWindow(
      ByteBuffer z,
      ByteBuffer y,
      float[] tap,
      int zp,
      int o,
      int[] off,
      float mul,
      float add,
      float[] k) {
    float m = Float.NEGATIVE_INFINITY, t = 0f;
    for (int q = 0; q < 4; q++) {
      float v = BnFoldVector.quantize(z.getFloat((zp + off[q]) << 2), mul, add, k);
      t = v > m ? q : t;
      m = Math.max(v, m);
    }
    y.putFloat(o << 2, m);
    tap[o] = t;
  }

  /**
   * Sample b's gradient with respect to the block's output, [H, W, C] from sample b·H·W·C of d: 0 +
   * gy at each window's recorded tap, +0 at every other element (as core's vector max pool's
   * backward writes it, −0 becoming +0).
   */
  static void backward(ByteBuffer gy, ByteBuffer d, float[] tap, int b, int[] geo) {
    int h = geo[0], c = geo[2], row = geo[1] * c, ph = geo[3], pw = geo[4], per = h * row;
    int[] off = {0, c, row, row + c};
    FloatVector zero = FloatVector.zero(S);
    for (int py = 0; py < ph; py++) {
      for (int px = 0; px < pw; px++) {
        int zp = b * per + 2 * py * row + 2 * px * c, o = ((b * ph + py) * pw + px) * c;
        int ch = 0;
        for (int end = S.loopBound(c); ch < end; ch += L) {
          FloatVector g = zero.add(FloatVector.fromByteBuffer(S, gy, (o + ch) << 2, NATIVE));
          FloatVector t = FloatVector.fromArray(S, tap, o + ch);
          for (int q = 0; q < 4; q++)
            zero.blend(g, t.compare(VectorOperators.EQ, (float) q))
                .intoByteBuffer(d, (zp + off[q] + ch) << 2, NATIVE);
        }
        for (; ch < c; ch++) {
          float g = 0f + gy.getFloat((o + ch) << 2);
          for (int q = 0; q < 4; q++)
            d.putFloat((zp + off[q] + ch) << 2, tap[o + ch] == q ? g : 0f);
        }
      }
      // Columns right of the last window (odd W) get no gradient.
      for (int dy = 0; dy < 2; dy++)
        zero(d, b * per + (2 * py + dy) * row + 2 * pw * c, row - 2 * pw * c);
    }
    zero(d, b * per + 2 * ph * row, per - 2 * ph * row);
  }

  private static void zero(ByteBuffer d, int o, int len) {
    for (int i = 0; i < len; i++) d.putFloat((o + i) << 2, 0f);
  }
}
