package org.qat4j.quant.quantizers;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The straight-through mask of {@link FakeQuant} on the JDK Vector API, loaded only when the module
 * jdk.incubator.vector is in use ({@code VectorApi.on()}): C2 17 runs a float compare that stores
 * bytes scalar, while compare masks narrowed from int lanes to byte lanes run some eight times
 * faster. Same bytes as the plain loop (1 where lo ≤ x ≤ hi, else 0; NaN gives 0).
 */
final class FakeQuantVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(S.length() * Byte.SIZE));
  private static final int L = S.length();
  private static final IntVector ZERO = IntVector.zero(I);

  private FakeQuantVector() {}

  /** mask[base + i] = 1 where lo[i] ≤ v[i] ≤ hi[i], else 0, over i in [0, len). */
  static void mask(float[] v, int len, byte[] mask, int base, float[] lo, float[] hi) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
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
