package org.qat4j.quant.layers;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The gradient window of {@link BnFold} on the JDK Vector API, loaded only when the module
 * jdk.incubator.vector is in use ({@code VectorApi.on()}): C2 on JDK 17 runs the plain sign-bit
 * mask scalar. Compare masks give the same bits for every finite pre-activation (a failed test
 * writes +0, a passed one keeps g).
 */
final class BnFoldVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final FloatVector ZERO = FloatVector.zero(S);

  private BnFoldVector() {}

  /** vg[i] kept where lo &lt; y &lt; hi and qlo ≤ y ≤ qhi, y = vz[i]·mt[i] + at[i]; else +0. */
  static void gate(float[] vg, float[] vz, int len, float[] mt, float[] at, BnFold.Window w) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector y =
          FloatVector.fromArray(S, vz, i)
              .mul(FloatVector.fromArray(S, mt, i))
              .add(FloatVector.fromArray(S, at, i));
      VectorMask<Float> pass =
          y.compare(VectorOperators.GT, w.lo())
              .and(y.compare(VectorOperators.LT, w.hi()))
              .and(y.compare(VectorOperators.GE, w.qlo()))
              .and(y.compare(VectorOperators.LE, w.qhi()));
      ZERO.blend(FloatVector.fromArray(S, vg, i), pass).intoArray(vg, i);
    }
    for (; i < len; i++) {
      float y = vz[i] * mt[i] + at[i];
      boolean pass = y > w.lo() && y < w.hi() && y >= w.qlo() && y <= w.qhi();
      vg[i] = pass ? vg[i] : 0f;
    }
  }
}
