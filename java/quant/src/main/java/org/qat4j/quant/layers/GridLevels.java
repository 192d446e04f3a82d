package org.qat4j.quant.layers;

import static jdk.incubator.vector.VectorOperators.GT;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * The output fake-quant of {@link ConvPoolQat} on activated pooled values in a heap array, with the
 * float arithmetic of {@link BnFold#affineActQuant} (multiplier 1, offset +0, the block's
 * activation clamp), so the levels are bit for bit those of that pass over the whole tensor. Core's
 * tie scan calls it per image while the image is in cache. Loaded only when jdk.incubator.vector is
 * in the boot layer.
 */
final class GridLevels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private GridLevels() {}

  /** v[from, to) = fq(clamp(v, 0, top)) on grid n in place. */
  static void map(float[] v, int from, int to, float top, FakeQuant.Nudged n) {
    if (n.zero()) {
      Arrays.fill(v, from, to, 0f); // as the plain pass: a zero grid outputs +0
      return;
    }
    float nmin = n.nudgedMin(), s = n.scale(), qz = n.qzero();
    float lo = Math.max(0f, nmin), hi = Math.min(top, n.nudgedMax());
    float[] k = {0f, top, nmin, n.nudgedMax(), s, qz};
    int i = from;
    for (int end = from + S.loopBound(to - from); i < end; i += L) {
      // x·1 + 0 as the tiled multiplier and offset of the whole-tensor pass (−0 becomes +0).
      FloatVector xc = FloatVector.fromArray(S, v, i).mul(1f).add(0f).max(lo).min(hi);
      FloatVector q = xc.sub(nmin).div(s).sub(qz).add(0.5f);
      FloatVector r = q.add(BnFold.MAGIC).sub(BnFold.MAGIC);
      r.blend(r.sub(1f), r.compare(GT, q)).mul(s).intoArray(v, i);
    }
    for (; i < to; i++) v[i] = BnFoldVector.quantize(v[i], 1f, 0f, k);
  }
}
