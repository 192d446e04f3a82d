package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.Tensor;

/**
 * The Vector API kernels of {@link ConvBnPool} on NHWC tensors, over the conv's zero-bordered
 * padded images and register rows of {@link VectorConv}: (1) the patch moments Σ p and Σ p·pᵀ of
 * the conv input (K = kh·kw·C taps, over every output position); (2) the fused forward, which
 * computes two conv rows at a time in L1, applies the BN affine, takes each 2×2 window's first
 * maximal tap and clamps it, writing only the pooled output, the arg-max tap (0–3) and the conv
 * value there; (3) through {@link ConvBnSums}, the backward sums over the pooled gradient routed to
 * its arg-max. The moments' float lane sums over a block of {@link #BLOCK} images go to double per
 * block, and blocks are added in order: results do not depend on the thread count. Images (blocks
 * for the moments) are handed to the workers one at a time ({@link ImageQueue}). Heap arrays of the
 * pooled domain are laid out [N, PH, PW, FP] with FP the filters padded to whole vector pairs.
 * Loaded only when jdk.incubator.vector is in the boot layer.
 */
final class ConvBnVector {
  /** Images per partial sum. */
  static final int BLOCK = 8;

  private static final int NINE = VectorConv.GROUP;

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final FloatVector ZERO = FloatVector.zero(S);

  final VectorConv vc;
  final ConvBnSums back;
  final ConvGeometry g;
  final int f;
  final int fp;
  final int k;
  final int kp;
  final int ph;
  final int pw;
  private final int owp;
  final int[] corner;

  /** Kernels for conv (built, {@link VectorConv#applies}) followed by a 2×2 pool of ph × pw. */
  ConvBnVector(Conv2D conv, int ph, int pw) {
    vc = new VectorConv(conv);
    g = conv.geo;
    f = conv.filters;
    fp = vc.pairs * 2 * L;
    k = vc.taps;
    kp = vc.groups * VectorConv.GROUP;
    this.ph = ph;
    this.pw = pw;
    owp = (g.ow() + L - 1) / L * L;
    corner = new int[ph * pw];
    for (int p = 0; p < ph * pw; p++) corner[p] = vc.origin(2 * (p / pw), 2 * (p % pw));
    back = new ConvBnSums(this);
  }

  /** Filters padded to whole vector pairs: the last axis of the pooled-domain heap arrays. */
  int paddedFilters() {
    return fp;
  }

  static int blocks(int n) {
    return (n + BLOCK - 1) / BLOCK;
  }

  /**
   * Σ p (K values) then Σ p·pᵀ (K×K, upper triangle filled, row-major) over every output position
   * of the n images of x, in double.
   */
  double[] moments(Tensor x, int n) {
    int len = k + k * k, nb = blocks(n), lenp = g.oh() * owp;
    double[][] parts = new double[nb][];
    long work = (long) n * lenp * k * (k + 3) / 2;
    ImageQueue.run(
        nb,
        work,
        queue -> {
          float[] xp = new float[vc.hp * vc.wp * g.c()], pt = new float[kp * lenp];
          float[] acc = new float[len * L];
          for (int blk = queue.next(); blk >= 0; blk = queue.next()) {
            // Float lane sums over a block's images, then one fold into double.
            Arrays.fill(acc, 0f);
            for (int b = blk * BLOCK; b < Math.min(n, (blk + 1) * BLOCK); b++) {
              vc.pad(x, b, xp);
              for (int oy = 0; oy < g.oh(); oy++) patches(xp, oy, pt, oy * owp, lenp);
              for (int t = 0; t < k; t++) {
                if (k == NINE) gramOfNine(pt, t, lenp, acc);
                else for (int q = t / NINE; q < vc.groups; q++) gram(pt, t, q, lenp, acc);
              }
            }
            double[] part = new double[len];
            for (int i = 0; i < len; i++) for (int j = 0; j < L; j++) part[i] += acc[i * L + j];
            parts[blk] = part;
          }
        });
    return sum(parts, len);
  }

  static double[] sum(double[][] parts, int len) {
    double[] total = new double[len];
    for (double[] p : parts) for (int i = 0; i < len; i++) total[i] += p[i];
    return total;
  }

  /**
   * pt[t·lenp + d + ox] = tap t of output pixel (oy, ox)'s patch; lanes past OW in a row and past
   * OH rows stay zero.
   */
  private void patches(float[] xp, int oy, float[] pt, int d, int lenp) {
    int step = g.sw() * g.c(), x0 = vc.origin(oy, 0);
    for (int t = 0; t < k; t++) {
      int o = x0 + vc.off[t], dt = t * lenp + d;
      if (step == 1) System.arraycopy(xp, o, pt, dt, g.ow());
      else for (int ox = 0; ox < g.ow(); ox++) pt[dt + ox] = xp[o + ox * step];
    }
  }

  /**
   * For tap t and the taps u of group q: acc[(K + t·K + u)·L..] += Σ pt_t·pt_u lane-wise over one
   * image's patches (u &lt; K only; the group's padded taps read zero rows), and in t's own group
   * also acc[t·L..] += Σ pt_t. The ten sums stay in registers over the loop.
   */
  private void gram(float[] pt, int t, int q, int lenp, float[] acc) {
    int ot = t * lenp, u0 = q * VectorConv.GROUP, b = u0 * lenp;
    // Sums start from zero(S), not the ZERO constant: a constant box in a loop phi makes C2 17
    // box the sum on every iteration (7-20x slower).
    FloatVector sp = FloatVector.zero(S), d0 = sp, d1 = sp, d2 = sp, d3 = sp, d4 = sp, d5 = sp;
    FloatVector d6 = sp, d7 = sp, d8 = sp;
    for (int i = 0; i < lenp; i += L) {
      FloatVector e = v(pt, ot + i);
      int o = b + i;
      d0 = e.fma(v(pt, o), d0);
      d1 = e.fma(v(pt, o + lenp), d1);
      d2 = e.fma(v(pt, o + 2 * lenp), d2);
      d3 = e.fma(v(pt, o + 3 * lenp), d3);
      d4 = e.fma(v(pt, o + 4 * lenp), d4);
      d5 = e.fma(v(pt, o + 5 * lenp), d5);
      d6 = e.fma(v(pt, o + 6 * lenp), d6);
      d7 = e.fma(v(pt, o + 7 * lenp), d7);
      d8 = e.fma(v(pt, o + 8 * lenp), d8);
      sp = sp.add(e);
    }
    int a = (k + t * k + u0) * L;
    if (q == t / VectorConv.GROUP) sp.add(v(acc, t * L)).intoArray(acc, t * L);
    addTo(d0, acc, a, u0);
    addTo(d1, acc, a + L, u0 + 1);
    addTo(d2, acc, a + 2 * L, u0 + 2);
    addTo(d3, acc, a + 3 * L, u0 + 3);
    addTo(d4, acc, a + 4 * L, u0 + 4);
    addTo(d5, acc, a + 5 * L, u0 + 5);
    addTo(d6, acc, a + 6 * L, u0 + 6);
    addTo(d7, acc, a + 7 * L, u0 + 7);
    addTo(d8, acc, a + 8 * L, u0 + 8);
  }

  /**
   * {@link #gram} for exactly nine taps (a 3×3 window on one channel), each product once: tap t
   * takes the pairs (t, t + d mod 9) for d = 0..4, which cover every unordered pair once, into the
   * upper-triangle slot. p_t·p_u = p_u·p_t exactly, so each sum gets the same fused multiply-adds
   * in the same order as in {@link #gram}, which computes all 81.
   */
  private void gramOfNine(float[] pt, int t, int lenp, float[] acc) {
    int ot = t * lenp, u1 = (t + 1) % NINE, u2 = (t + 2) % NINE, u3 = (t + 3) % NINE;
    int u4 = (t + 4) % NINE, o1 = u1 * lenp, o2 = u2 * lenp, o3 = u3 * lenp, o4 = u4 * lenp;
    // Sums start from zero(S): see gram.
    FloatVector sp = FloatVector.zero(S), d0 = sp, d1 = sp, d2 = sp, d3 = sp, d4 = sp;
    for (int i = 0; i < lenp; i += L) {
      FloatVector e = v(pt, ot + i);
      d0 = e.fma(e, d0);
      d1 = e.fma(v(pt, o1 + i), d1);
      d2 = e.fma(v(pt, o2 + i), d2);
      d3 = e.fma(v(pt, o3 + i), d3);
      d4 = e.fma(v(pt, o4 + i), d4);
      sp = sp.add(e);
    }
    sp.add(v(acc, t * L)).intoArray(acc, t * L);
    addTo(d0, acc, pairAt(t, t), 0);
    addTo(d1, acc, pairAt(t, u1), 0);
    addTo(d2, acc, pairAt(t, u2), 0);
    addTo(d3, acc, pairAt(t, u3), 0);
    addTo(d4, acc, pairAt(t, u4), 0);
  }

  /** Offset in the moments' lane sums of Σ p_t·p_u, upper triangle. */
  private int pairAt(int t, int u) {
    return (k + Math.min(t, u) * k + Math.max(t, u)) * L;
  }

  /** acc[o..o + L) += d when tap u exists. */
  private void addTo(FloatVector d, float[] acc, int o, int u) {
    if (u < k) d.add(v(acc, o)).intoArray(acc, o);
  }

  /**
   * The fused forward of n images: y [N, PH, PW, F] = clamp(max over each 2×2 window of a·conv + b,
   * 0, cap); tm[0] = tap and tm[1] = xm ([N, PH, PW, FP]) get the first maximal tap (0 top-left, 1
   * top-right, 2 bottom-left, 3 bottom-right) and the conv value there. a and b are padded to FP
   * with zeros. With four arrays in tm: tm[2] = early [N, PH, PW, FP] gets the largest a·conv + b
   * among the taps before the arg-max (NaN when it is tap 0 or the maximum is ≤ 0), and tm[3] =
   * range [3·FP] (±∞, then 0 on entry) each filter's min then max conv value over all taps, as
   * compares find them (exact as Math.min/max where no value is NaN or −0), then 0 per filter where
   * every window's maximum a·conv + b was finite (else NaN).
   */
  void forward(Tensor x, int n, float[][] ab, float cap, Tensor y, float[][] tm) {
    float[] range = tm.length > 2 ? tm[3] : null;
    float[] wv = vc.packed();
    FloatBuffer yb = y.buffer();
    long work = (long) n * g.oh() * g.ow() * fp * kp;
    ImageQueue.run(
        n,
        work,
        queue -> {
          float[] xp = new float[vc.hp * vc.wp * g.c()];
          float[] r0 = new float[g.ow() * fp], r1 = new float[g.ow() * fp];
          float[] out = new float[pw * fp];
          float[][] ex = range == null ? null : new float[][] {tm[2], start(range)};
          for (int i = queue.next(); i >= 0; i = queue.next()) {
            vc.pad(x, i, xp);
            for (int py = 0; py < ph; py++) {
              convRow(xp, 2 * py, wv, r0);
              convRow(xp, 2 * py + 1, wv, r1);
              int o = (i * ph + py) * pw;
              if (ex == null) poolRow(r0, r1, ab, cap, out, tm, o * fp);
              else poolRowExtras(r0, r1, ab, cap, out, tm, o * fp, ex);
              store(out, yb, o * f);
            }
          }
          if (ex != null) merge(ex[1], range);
        });
  }

  private static float[] start(float[] range) {
    synchronized (range) {
      return range.clone();
    }
  }

  /** range = lane-wise min / max with a worker's part (exact in any order: deterministic). */
  private void merge(float[] part, float[] range) {
    synchronized (range) {
      for (int j = 0; j < fp; j++) {
        range[j] = Math.min(range[j], part[j]);
        range[fp + j] = Math.max(range[fp + j], part[fp + j]);
        range[2 * fp + j] += part[2 * fp + j];
      }
    }
  }

  /** One conv output row (all filters, bias included) into out [OW][FP]. */
  private void convRow(float[] xp, int oy, float[] wv, float[] out) {
    for (int p = 0; p < vc.pairs; p++) {
      for (int q = 0; q < vc.groups; q++) vc.pairRow(xp, vc.origin(oy, 0), wv, p, q, out);
    }
  }

  /** Writes a pooled row from out [PW][FP] to y [PW][F] at offset yo. */
  private void store(float[] out, FloatBuffer yb, int yo) {
    if (fp == f) {
      yb.put(yo, out, 0, pw * f);
      return;
    }
    for (int px = 0; px < pw; px++) yb.put(yo + px * f, out, px * fp, f);
  }

  /**
   * The pooled row from conv rows r0, r1: out [PW][FP]; tm = {tap, xm} from offset mo. Filter
   * vectors outside, pixels inside: the affine map stays in registers. The arg-max is the first tap
   * that no later tap exceeds (strict comparisons in tap order), the same tap as the first equal to
   * the maximum for values that are not NaN (NaN taps appear all at once or not at all: from NaN
   * statistics or weights).
   */
  private void poolRow(
      float[] r0, float[] r1, float[][] ab, float cap, float[] out, float[][] tm, int mo) {
    FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f);
    FloatVector three = FloatVector.broadcast(S, 3f);
    for (int j = 0; j < fp; j += L) {
      FloatVector va = v(ab[0], j), vb = v(ab[1], j);
      for (int px = 0, o = j, i0 = j; px < pw; px++, o += fp, i0 += 2 * fp) {
        FloatVector x0 = v(r0, i0), x1 = v(r0, i0 + fp), x2 = v(r1, i0), x3 = v(r1, i0 + fp);
        FloatVector m = x0.fma(va, vb), t1 = x1.fma(va, vb), t2 = x2.fma(va, vb);
        FloatVector t3 = x3.fma(va, vb), tap = ZERO, xm = x0;
        VectorMask<Float> c = t1.compare(VectorOperators.GT, m);
        m = m.blend(t1, c);
        tap = tap.blend(one, c);
        xm = xm.blend(x1, c);
        c = t2.compare(VectorOperators.GT, m);
        m = m.blend(t2, c);
        tap = tap.blend(two, c);
        xm = xm.blend(x2, c);
        c = t3.compare(VectorOperators.GT, m);
        tap.blend(three, c).intoArray(tm[0], mo + o);
        xm.blend(x3, c).intoArray(tm[1], mo + o);
        m.blend(t3, c).max(0f).min(cap).intoArray(out, o);
      }
    }
  }

  /**
   * {@link #poolRow} with the extras: ex = {the early values [N, PH, PW, FP], the worker's z range
   * [2·FP]}. Its own method: a vector updated under a branch in a loop makes C2 17 box it.
   */
  private void poolRowExtras(
      float[] r0,
      float[] r1,
      float[][] ab,
      float cap,
      float[] out,
      float[][] tm,
      int mo,
      float[][] ex) {
    FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f);
    FloatVector three = FloatVector.broadcast(S, 3f), none = FloatVector.broadcast(S, Float.NaN);
    for (int j = 0; j < fp; j += L) {
      FloatVector va = v(ab[0], j), vb = v(ab[1], j), lo = v(ex[1], j), hi = v(ex[1], fp + j);
      FloatVector fin = v(ex[1], 2 * fp + j);
      for (int px = 0, o = j, i0 = j; px < pw; px++, o += fp, i0 += 2 * fp) {
        FloatVector x0 = v(r0, i0), x1 = v(r0, i0 + fp), x2 = v(r1, i0), x3 = v(r1, i0 + fp);
        FloatVector t0 = x0.fma(va, vb), t1 = x1.fma(va, vb);
        FloatVector t2 = x2.fma(va, vb), t3 = x3.fma(va, vb);
        FloatVector m = t0.max(t1).max(t2.max(t3));
        VectorMask<Float> e0 = t0.eq(m), e1 = t1.eq(m), e2 = t2.eq(m);
        three.blend(two, e2).blend(one, e1).blend(ZERO, e0).intoArray(tm[0], mo + o);
        x3.blend(x2, e2).blend(x1, e1).blend(x0, e0).intoArray(tm[1], mo + o);
        m.max(0f).min(cap).intoArray(out, o);
        // The largest tap before the arg-max: max(t0, t1, t2), max(t0, t1), t0, or NaN for
        // none and where every tap is ≤ 0 (no gradient passes there).
        FloatVector p1 = t0.max(t1), e = p1.max(t2).blend(p1, e2).blend(t0, e1);
        e = e.blend(none, e0).blend(none, m.compare(VectorOperators.LE, 0f));
        e.intoArray(ex[0], mo + o);
        // Compare-and-blend, two operations where Math.min/max semantics take about five on AVX2.
        lo = lower(lo, lower(lower(x0, x1), lower(x2, x3)));
        hi = upper(hi, upper(upper(x0, x1), upper(x2, x3)));
        fin = fin.add(m.sub(m)); // NaN from any NaN tap (and from ±∞)
      }
      lo.intoArray(ex[1], j);
      hi.intoArray(ex[1], fp + j);
      fin.intoArray(ex[1], 2 * fp + j);
    }
  }

  /** b where b &lt; a, else a. */
  private static FloatVector lower(FloatVector a, FloatVector b) {
    return a.blend(b, b.lt(a));
  }

  /** b where a &lt; b, else a. */
  private static FloatVector upper(FloatVector a, FloatVector b) {
    return a.blend(b, a.lt(b));
  }

  private static FloatVector v(float[] a, int o) {
    return FloatVector.fromArray(S, a, o);
  }
}
