package org.qat4j.quant.quantizers;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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

  /**
   * Byte lanes for the mask's narrowed store, or null below 64 bits (128-bit vectors: NEON, SSE, or
   * -XX:MaxVectorSize=16), where no byte shape exists and {@link #mask} runs the plain loop.
   */
  private static final VectorSpecies<Byte> B =
      L * Byte.SIZE >= 64
          ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE))
          : null;

  private static final IntVector ZERO = IntVector.zero(I);

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
}
