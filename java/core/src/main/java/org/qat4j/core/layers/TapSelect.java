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
 * early value (the largest a·z + b before the arg-max; NaN where the arg-max is the first tap or
 * the maximum is ≤ 0) reaches within {@link ConvPoolPass.Level#reach} of the output level are
 * picked (about 1 %), the early value's level is compared exactly, and only where it equals the
 * output's do the earlier taps' conv values get recomputed, in tap order, with the forward's exact
 * arithmetic ({@link VectorConv#valueAt}). Images are independent: the result does not depend on
 * the thread count. Loaded only when jdk.incubator.vector is in the boot layer.
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

  /** Moves the arg-maxes (see {@link ConvPoolPass#reselect}); out is [N, PH, PW, F]. */
  void run(Tensor out) {
    FloatBuffer ob = out.buffer();
    int n = pass.batch, len = per * fp;
    float reach = level.reach();
    float[] early = pass.early;
    Parallel.forRange(
        n,
        Parallel.grain(n, (long) n * len, 1 << 16),
        (lo, hi) -> {
          float[] xp = new float[vc.hp * vc.wp * pass.conv.geo.c()], lv = new float[len];
          for (int i = lo; i < hi; i++) {
            levels(ob, i, lv);
            boolean[] padded = {false};
            for (int e = 0, o = i * len; e < len; e += L, o += L) {
              FloatVector bound = FloatVector.fromArray(S, lv, e).sub(reach);
              FloatVector ev = FloatVector.fromArray(S, early, o).max(0f);
              VectorMask<Float> near = ev.compare(VectorOperators.GE, bound);
              if (!near.anyTrue()) continue;
              for (int k = 0; k < L; k++) {
                if (near.laneIsSet(k)) check(i, e + k, lv[e + k], xp, padded);
              }
            }
          }
        });
  }

  /** lv [PH·PW][FP] = image i's output levels (padding lanes 0). */
  private void levels(FloatBuffer ob, int i, float[] lv) {
    if (fp == f) {
      ob.get(i * per * f, lv, 0, per * f);
      return;
    }
    for (int p = 0; p < per; p++) ob.get((i * per + p) * f, lv, p * fp, f);
  }

  /**
   * Element e ([PH·PW][FP]) of image i, output level lv: moves its arg-max when an earlier tap maps
   * to that level.
   */
  private void check(int i, int e, float lv, float[] xp, boolean[] padded) {
    int p = e / fp, j = e % fp, o = i * per * fp + e;
    float[][] tm = pass.tm, ab = pass.ab;
    if (level.of(Math.min(Math.max(pass.early[o], 0f), pass.cap)) != lv) return;
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
