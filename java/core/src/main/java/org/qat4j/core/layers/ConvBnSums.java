package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.Tensor;

/**
 * The backward sums of {@link ConvBnVector}'s fused pass on NHWC tensors: over the pooled gradient
 * routed to each window's arg-max, Σ g, Σ g·x̂ and, per filter and tap, Σ g·p. Each image's sums
 * are float, in its own slot; images are handed out one at a time ({@link ImageQueue}), and the
 * last image of a block of {@link ConvBnVector#BLOCK} to finish adds the block's images in order
 * into one double partial; blocks are then added in order. So results do not depend on the thread
 * count or on which worker took which image. Loaded only when jdk.incubator.vector is in the boot
 * layer.
 */
final class ConvBnSums {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final FloatVector ZERO = FloatVector.zero(S);
  private static final int BLOCK = ConvBnVector.BLOCK;

  private final VectorConv vc;
  private final ConvGeometry g;
  private final int f;
  private final int fp;
  private final int kp;
  private final int ph;
  private final int pw;
  private final int[] corner;
  private float[][] images;

  ConvBnSums(ConvBnVector kernels) {
    vc = kernels.vc;
    g = kernels.g;
    f = kernels.f;
    fp = kernels.fp;
    kp = kernels.kp;
    ph = kernels.ph;
    pw = kernels.pw;
    corner = kernels.corner;
  }

  /** Σ g·p_t of filter j in a {@link #backwardSums} result. */
  double tapSum(double[] sums, int j, int t) {
    return sums[2 * fp + (j / L * kp + t) * L + j % L];
  }

  /**
   * The backward sums over the pooled gradient gy [N, PH, PW, F] of the last forward (tap, xm from
   * it): [Σ g (FP), Σ g·(xm − mu)·is (FP), Σ g·p (FP × KP as [filter][tap])] in double, g = gy
   * where the activation passes (0 &lt; a·xm + b &lt; cap) and a·xm + b lies in the closed window
   * [win[0], win[1]], each at its window's arg-max tap. abmi = {a, b, mu, is} padded to FP.
   */
  double[] backwardSums(
      Tensor x, int n, Tensor gy, float[][] tm, float[][] abmi, float cap, float[] win) {
    int len = (2 + kp) * fp, nb = ConvBnVector.blocks(n);
    if (images == null || images.length < n || images[0].length != len) {
      images = new float[Math.max(1, n)][len];
    }
    double[][] parts = new double[nb][];
    AtomicIntegerArray left = new AtomicIntegerArray(nb);
    for (int b = 0; b < nb; b++) left.set(b, Math.min(n, (b + 1) * BLOCK) - b * BLOCK);
    float[] cw = {cap, win[0], win[1]};
    ImageQueue.run(
        n,
        (long) n * ph * pw * fp * kp * 4,
        q -> {
          float[] xp = new float[vc.hp * vc.wp * g.c()], gs = new float[ph * pw * fp];
          for (int i = q.next(); i >= 0; i = q.next()) {
            image(x, i, gy.buffer(), tm, abmi, cw, xp, gs);
            // The decrement publishes this image's sums to whichever worker folds the block.
            if (left.decrementAndGet(i / BLOCK) == 0) parts[i / BLOCK] = fold(i / BLOCK, n, len);
          }
        });
    return ConvBnVector.sum(parts, len);
  }

  /** Image i's float sums into its slot (cw = {cap, lo, hi}; xp, gs scratch). */
  private void image(
      Tensor x,
      int i,
      FloatBuffer gb,
      float[][] tm,
      float[][] abmi,
      float[] cw,
      float[] xp,
      float[] gs) {
    float[] acc = images[i];
    vc.pad(x, i, xp);
    gated(gb, i, tm[1], abmi, cw, gs);
    Arrays.fill(acc, 0f);
    int mo = i * ph * pw * fp;
    for (int j = 0; j < fp; j += L) {
      bnSums(gs, tm[1], mo, abmi, j, acc);
      for (int q = 0; q < vc.groups; q++) {
        for (int w = 0; w < 4; w++) tapSums(xp, gs, tm[0], mo, j, q, w, acc);
      }
    }
  }

  /** Block b's images' float sums added in image order into a double partial. */
  private double[] fold(int b, int n, int len) {
    double[] part = new double[len];
    for (int i = b * BLOCK; i < Math.min(n, (b + 1) * BLOCK); i++) {
      float[] acc = images[i];
      for (int e = 0; e < len; e++) part[e] += acc[e];
    }
    return part;
  }

  /**
   * gs [PH·PW][FP] = image i's pooled gradient where the activation passes at the arg-max, else 0.
   */
  private void gated(FloatBuffer gb, int i, float[] xm, float[][] abmi, float[] cw, float[] gs) {
    float cap = cw[0], lo = cw[1], hi = cw[2];
    int per = ph * pw, mo = i * per * fp;
    if (fp == f) gb.get(i * per * f, gs, 0, per * f);
    else for (int p = 0; p < per; p++) gb.get((i * per + p) * f, gs, p * fp, f);
    for (int p = 0; p < per; p++) {
      for (int j = 0; j < fp; j += L) {
        int o = p * fp + j;
        FloatVector t = FloatVector.fromArray(S, xm, mo + o).fma(v(abmi[0], j), v(abmi[1], j));
        VectorMask<Float> pass = t.compare(VectorOperators.GT, 0f).and(t.lt(cap));
        pass = pass.and(t.compare(VectorOperators.GE, lo)).and(t.compare(VectorOperators.LE, hi));
        ZERO.blend(v(gs, o), pass).intoArray(gs, o);
      }
    }
  }

  private static FloatVector v(float[] a, int o) {
    return FloatVector.fromArray(S, a, o);
  }

  /** acc[j] += Σ g, acc[FP + j] += Σ g·(xm − mu)·is over the image, filter vector j. */
  private void bnSums(float[] gs, float[] xm, int mo, float[][] abmi, int j, float[] acc) {
    FloatVector mu = v(abmi[2], j), is = v(abmi[3], j), s1 = FloatVector.zero(S), s2 = s1;
    for (int o = j; o < ph * pw * fp; o += fp) {
      FloatVector e = v(gs, o);
      s1 = s1.add(e);
      s2 = e.fma(v(xm, mo + o).sub(mu).mul(is), s2);
    }
    s1.add(v(acc, j)).intoArray(acc, j);
    s2.add(v(acc, fp + j)).intoArray(acc, fp + j);
  }

  /**
   * acc (the Σ g·p block, [filter][tap]) += Σ g·p_t for the taps of group q, filter vector j and
   * window tap w: per pooled pixel, the gradient of the lanes whose arg-max is w times the 9 patch
   * values at w's conv position (broadcast); the 9 sums stay in registers over the image.
   */
  private void tapSums(
      float[] xp, float[] gs, float[] tap, int mo, int j, int q, int w, float[] acc) {
    int base = q * VectorConv.GROUP, a = 2 * fp + (j / L * kp + base) * L;
    int[] o = vc.off;
    int o0 = o[base], o1 = o[base + 1], o2 = o[base + 2], o3 = o[base + 3], o4 = o[base + 4];
    int o5 = o[base + 5], o6 = o[base + 6], o7 = o[base + 7], o8 = o[base + 8];
    FloatVector d0 = v(acc, a), d1 = v(acc, a + L), d2 = v(acc, a + 2 * L);
    FloatVector d3 = v(acc, a + 3 * L), d4 = v(acc, a + 4 * L), d5 = v(acc, a + 5 * L);
    FloatVector d6 = v(acc, a + 6 * L), d7 = v(acc, a + 7 * L), d8 = v(acc, a + 8 * L);
    float fw = w;
    int dw = vc.origin(w >> 1, w & 1);
    for (int pp = 0, p = j; pp < corner.length; pp++, p += fp) {
      int c = corner[pp] + dw;
      FloatVector gw = ZERO.blend(v(gs, p), v(tap, mo + p).eq(fw));
      d0 = bc(xp, c + o0).fma(gw, d0);
      d1 = bc(xp, c + o1).fma(gw, d1);
      d2 = bc(xp, c + o2).fma(gw, d2);
      d3 = bc(xp, c + o3).fma(gw, d3);
      d4 = bc(xp, c + o4).fma(gw, d4);
      d5 = bc(xp, c + o5).fma(gw, d5);
      d6 = bc(xp, c + o6).fma(gw, d6);
      d7 = bc(xp, c + o7).fma(gw, d7);
      d8 = bc(xp, c + o8).fma(gw, d8);
    }
    d0.intoArray(acc, a);
    d1.intoArray(acc, a + L);
    d2.intoArray(acc, a + 2 * L);
    d3.intoArray(acc, a + 3 * L);
    d4.intoArray(acc, a + 4 * L);
    d5.intoArray(acc, a + 5 * L);
    d6.intoArray(acc, a + 6 * L);
    d7.intoArray(acc, a + 7 * L);
    d8.intoArray(acc, a + 8 * L);
  }

  private static FloatVector bc(float[] a, int i) {
    return FloatVector.broadcast(S, a[i]);
  }
}
