package org.qat4j.quant.quantizers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The straight-through mask and the quantize loop of {@link FakeQuant} on the JDK Vector API,
 * loaded only when the module jdk.incubator.vector is in use ({@code VectorApi.on()}): C2 17 runs a
 * float compare that stores bytes scalar, while compare masks narrowed from int lanes to byte lanes
 * run some eight times faster. Same bytes as the plain loop (1 where lo ≤ x ≤ hi, else 0; NaN gives
 * 0) and the same outputs bit for bit.
 */
final class FakeQuantVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Byte lanes for the mask, or null at 128-bit vectors ({@link #mask} then runs plain loops). */
  private static final VectorSpecies<Byte> B = MaskLanes.BYTES;

  private static final IntVector ZERO = IntVector.zero(I);
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private FakeQuantVector() {}

  /**
   * v = fake-quant(v) in place over [0, len) with tiled constants t = {min, max, mul, qzero,
   * scale}: the plain loop's operations (division by mul when {@code divide}, else multiplication),
   * with the floor's step down taken by a compare instead of two Java-semantics min/max (each
   * several instructions in C2's vector code). r = (q + MAGIC) − MAGIC is never −0, so r − 0 = r
   * and the results are the plain loop's bit for bit.
   */
  static void quantize(float[] v, int len, float[][] t, boolean divide) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector lo = FloatVector.fromArray(S, t[0], i), m = FloatVector.fromArray(S, t[2], i);
      FloatVector x = FloatVector.fromArray(S, v, i).max(lo).min(FloatVector.fromArray(S, t[1], i));
      x = divide ? x.sub(lo).div(m) : x.sub(lo).mul(m);
      FloatVector q = x.sub(FloatVector.fromArray(S, t[3], i)).add(0.5f);
      FloatVector r = q.add(FakeQuant.MAGIC).sub(FakeQuant.MAGIC);
      r = r.blend(r.sub(1f), r.compare(VectorOperators.GT, q));
      r.mul(FloatVector.fromArray(S, t[4], i)).intoArray(v, i);
    }
    for (; i < len; i++) {
      float x = Math.min(Math.max(v[i], t[0][i]), t[1][i]) - t[0][i];
      float q = (divide ? x / t[2][i] : x * t[2][i]) - t[3][i] + 0.5f;
      float r = (q + FakeQuant.MAGIC) - FakeQuant.MAGIC;
      v[i] = (r > q ? r - 1f : r) * t[4][i];
    }
  }

  /** mask[base + i] = 1 where lo[i] ≤ v[i] ≤ hi[i], else 0, over i in [0, len). */
  static void mask(float[] v, int len, byte[] mask, int base, float[] lo, float[] hi) {
    int i = 0;
    for (int end = B == null ? 0 : S.loopBound(len); i < end; i += L) {
      FloatVector x = FloatVector.fromArray(S, v, i);
      VectorMask<Float> in =
          x.compare(VectorOperators.GE, FloatVector.fromArray(S, lo, i))
              .and(x.compare(VectorOperators.LE, FloatVector.fromArray(S, hi, i)));
      ((ByteVector) ZERO.blend(1, in.cast(I)).convertShape(VectorOperators.I2B, B, 0))
          .intoArray(mask, base + i);
    }
    for (; i < len; i++) mask[base + i] = v[i] >= lo[i] && v[i] <= hi[i] ? (byte) 1 : 0;
  }

  /**
   * One per-tensor grid over elements [lo, hi) of native storage, in → out (may alias): the mask
   * (unless null) and the quantized values of {@link #quantize} with the constants broadcast
   * instead of tiled, so nothing is copied to the heap. k = {nudged min, nudged max, mul, qzero,
   * scale, pass lo, pass hi}; mul is the scale when {@code divide}, else its inverse. Not for a
   * zero grid.
   */
  static void tensor(
      ByteBuffer in, ByteBuffer out, int lo, int hi, byte[] mask, float[] k, boolean divide) {
    float nmin = k[0], nmax = k[1], m = k[2], qz = k[3], s = k[4], passLo = k[5], passHi = k[6];
    if (mask != null && B == null) {
      // No byte shape for 128-bit vectors: the mask takes a plain pass of its own first.
      for (int j = lo; j < hi; j++) {
        float v = in.getFloat(j << 2);
        mask[j] = v >= passLo && v <= passHi ? (byte) 1 : 0;
      }
      mask = null;
    }
    int i = lo;
    for (int end = lo + S.loopBound(hi - lo); i < end; i += L) {
      FloatVector x = FloatVector.fromByteBuffer(S, in, i << 2, NATIVE);
      if (mask != null) {
        VectorMask<Float> pass =
            x.compare(VectorOperators.GE, passLo).and(x.compare(VectorOperators.LE, passHi));
        ((ByteVector) ZERO.blend(1, pass.cast(I)).convertShape(VectorOperators.I2B, B, 0))
            .intoArray(mask, i);
      }
      FloatVector xs = x.max(nmin).min(nmax).sub(nmin);
      FloatVector q = (divide ? xs.div(m) : xs.mul(m)).sub(qz).add(0.5f);
      FloatVector r = q.add(FakeQuant.MAGIC).sub(FakeQuant.MAGIC);
      r.blend(r.sub(1f), r.compare(VectorOperators.GT, q))
          .mul(s)
          .intoByteBuffer(out, i << 2, NATIVE);
    }
    for (; i < hi; i++) {
      float v = in.getFloat(i << 2);
      if (mask != null) mask[i] = v >= passLo && v <= passHi ? (byte) 1 : 0;
      float x = Math.min(Math.max(v, nmin), nmax) - nmin;
      float q = (divide ? x / m : x * m) - qz + 0.5f;
      float r = (q + FakeQuant.MAGIC) - FakeQuant.MAGIC;
      out.putFloat(i << 2, (r > q ? r - 1f : r) * s);
    }
  }

  /**
   * acc = {min(acc[0], +0, v[0..len)), max(acc[1], +0, v[0..len))} with Math.min/max, which give
   * the same bits in any order and grouping (NaN and ±0 included). The lanes start from +0, which a
   * range that includes 0 holds anyway.
   */
  static void minMax(float[] v, int len, float[] acc) {
    FloatVector lo = FloatVector.zero(S), hi = FloatVector.zero(S);
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector x = FloatVector.fromArray(S, v, i);
      lo = lo.min(x);
      hi = hi.max(x);
    }
    float[] l = new float[L], h = new float[L];
    lo.intoArray(l, 0);
    hi.intoArray(h, 0);
    for (int j = 0; j < L; j++) {
      acc[0] = Math.min(acc[0], l[j]);
      acc[1] = Math.max(acc[1], h[j]);
    }
    for (; i < len; i++) {
      acc[0] = Math.min(acc[0], v[i]);
      acc[1] = Math.max(acc[1], v[i]);
    }
  }
}
