package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.Tensor;

/**
 * {@link ConvPoolPass#reselect} on the Vector API: per image, its pooled values are mapped onto
 * their levels ({@link ConvPoolPass.Level#map}) and stored; then, a vector at a time, the windows
 * whose early value (the largest a·z + b before the arg-max; NaN where the arg-max is the first tap
 * or the maximum is ≤ 0) reaches within {@link ConvPoolPass.Level#reach} of the output level are
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

  /**
   * Writes out [N, PH, PW, F] = the levels of the pooled output y and moves the arg-maxes (see
   * {@link ConvPoolPass#reselect}). Per image: its levels are mapped in a small array, stored and
   * scanned while in cache; images go to the workers one at a time ({@link ImageQueue}).
   */
  void run(Tensor y, Tensor out) {
    FloatBuffer yb = y.buffer(), ob = out.buffer();
    int n = pass.batch, len = per * fp;
    ImageQueue.run(
        n,
        (long) n * len * 4,
        queue -> {
          float[] xp = new float[vc.hp * vc.wp * pass.conv.geo.c()], lv = new float[len];
          for (int i = queue.next(); i >= 0; i = queue.next()) {
            levels(yb, ob, i, lv);
            scan(i, lv, xp);
          }
        });
  }

  /** Image i's windows near their level lv [PH·PW][FP]; xp: room for the padded image. */
  private void scan(int i, float[] lv, float[] xp) {
    float reach = level.reach();
    float[] early = pass.early;
    boolean padded = false;
    for (int p = 0, e = 0, o = i * per * fp; p < per; p++) {
      for (int j = 0; j < fp; j += L, e += L, o += L) {
        FloatVector bound = FloatVector.fromArray(S, lv, e).sub(reach);
        FloatVector ev = FloatVector.fromArray(S, early, o).max(0f);
        if (!ev.compare(VectorOperators.GE, bound).anyTrue()) continue;
        if (!padded) vc.pad(pass.x, i, xp);
        padded = true;
        // The lanes again in scalars (the same float tests): a mask's lanes cost more on AVX2.
        for (int k = 0; k < L; k++) {
          if (Math.max(early[o + k], 0f) >= lv[e + k] - reach)
            check(p, j + k, o + k, lv[e + k], xp);
        }
      }
    }
  }

  /**
   * lv [PH·PW][FP] = the levels of image i of y (padding lanes unused: their early value is NaN),
   * also written to out.
   */
  private void levels(FloatBuffer yb, FloatBuffer ob, int i, float[] lv) {
    if (fp == f) {
      yb.get(i * per * f, lv, 0, per * f);
      level.map(lv, 0, per * f);
      ob.put(i * per * f, lv, 0, per * f);
      return;
    }
    for (int p = 0; p < per; p++) yb.get((i * per + p) * f, lv, p * fp, f);
    level.map(lv, 0, per * fp);
    for (int p = 0; p < per; p++) ob.put((i * per + p) * f, lv, p * fp, f);
  }

  /**
   * Window p, filter j (element o of the pooled-domain arrays), output level lv, its image padded
   * in xp: moves the arg-max when an earlier tap maps to that level. That tap is the first one
   * whose level is lv: the early value's tap (recomputed exactly) maps there and lies before the
   * arg-max, so the loop needs no tap bound (the arg-max array is only written: a load there would
   * mostly miss the cache).
   */
  private void check(int p, int j, int o, float lv, float[] xp) {
    float[][] ab = pass.ab;
    if (level.of(Math.min(Math.max(pass.early[o], 0f), pass.cap)) != lv) return;
    int corner = pass.kernels.corner[p];
    for (int k = 0; k < 3; k++) {
      float z = vc.valueAt(xp, corner + vc.origin(k >> 1, k & 1), wv, j);
      float t = Math.fma(z, ab[0][j], ab[1][j]);
      if (level.of(Math.min(Math.max(t, 0f), pass.cap)) == lv) {
        pass.tm[0][o] = k;
        pass.tm[1][o] = z;
        return;
      }
    }
  }
}
