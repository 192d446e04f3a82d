package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * {@link ConvPoolPass#reselect} on the Vector API: per image, a vector at a time, the windows whose
 * maximum is above 0, whose arg-max is not the first tap and whose early value is within a level
 * step of the output level are picked (a few per cent), the early value's level is compared
 * exactly, and only where it equals the output's do the earlier taps' conv values get recomputed,
 * in tap order, with the forward's exact arithmetic ({@link VectorConv#valueAt}). Images are
 * independent: the result does not depend on the thread count. Loaded only when
 * jdk.incubator.vector is in the boot layer.
 */
final class TapSelect {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private final ConvPoolPass pass;
  private final ConvPoolPass.Level level;
  private final VectorConv vc;
  private final int f;
  private final int fp;
  private final int per;
  private final float[] wv;

  TapSelect(ConvPoolPass pass, ConvPoolPass.Level level) {
    this.pass = pass;
    this.level = level;
    vc = pass.kernels.vc;
    f = pass.conv.filters;
    fp = pass.kernels.paddedFilters();
    per = pass.pooled.oh() * pass.pooled.ow();
    wv = vc.packed();
  }

  /** Moves the arg-maxes (see {@link ConvPoolPass#reselect}). */
  void run(Tensor out) {
    FloatBuffer ob = out.buffer(), eb = pass.early.buffer();
    int n = pass.batch, len = per * f;
    float step = level.step();
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * len, 1 << 16),
        (lo, hi) -> {
          float[] xp = new float[vc.hp * vc.wp * pass.conv.geo.c()];
          float[][] v = {new float[len], new float[len]};
          for (int i = lo; i < hi; i++) {
            ob.get(i * len, v[0], 0, len);
            eb.get(i * len, v[1], 0, len);
            boolean[] padded = {false};
            int e = 0;
            for (; e + L <= len; e += L) {
              FloatVector bound = FloatVector.fromArray(S, v[0], e).sub(step);
              FloatVector early = FloatVector.fromArray(S, v[1], e).max(0f);
              VectorMask<Float> near = early.compare(VectorOperators.GE, bound);
              if (!near.anyTrue()) continue;
              for (int k = 0; k < L; k++) if (near.laneIsSet(k)) check(i, e + k, v, xp, padded);
            }
            for (; e < len; e++)
              if (Math.max(v[1][e], 0f) >= v[0][e] - step) check(i, e, v, xp, padded);
          }
        });
  }

  /**
   * Element e of image i (v = the image's levels and early values): moves its arg-max when an
   * earlier tap maps to its level.
   */
  private void check(int i, int e, float[][] v, float[] xp, boolean[] padded) {
    int p = e / f, j = e % f, o = (i * per + p) * fp + j;
    float[][] tm = pass.tm, ab = pass.ab;
    float lv = v[0][e];
    if (level.of(Math.min(Math.max(v[1][e], 0f), pass.cap)) != lv) return;
    if (!padded[0]) vc.pad(pass.x, i, xp);
    padded[0] = true;
    int corner = vc.origin(2 * (p / pass.pooled.ow()), 2 * (p % pass.pooled.ow()));
    for (int k = 0; k < (int) tm[0][o]; k++) {
      float z = vc.valueAt(xp, corner + vc.origin(k >> 1, k & 1), wv, j);
      float t = Math.fma(z, ab[0][j], ab[1][j]);
      if (level.of(Math.min(Math.max(t, 0f), pass.cap)) == lv) {
        tm[0][o] = k;
        tm[1][o] = z;
        return;
      }
    }
  }
}
