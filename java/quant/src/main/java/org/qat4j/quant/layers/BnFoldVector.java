package org.qat4j.quant.layers;

import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LT;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.Tensor;

/**
 * {@link BnFold}'s passes on the JDK Vector API over one group of blocks ({@link BnFoldGroups}),
 * loaded only when the module jdk.incubator.vector is in use ({@code VectorApi.on()}). They read
 * and write the tensors' native storage (a byte view, native order) and run column by column: for
 * each lane vector i of the block width w, the group's nb blocks in order (block b at base + b·w,
 * the last one {@code last} floats long), so lane accumulators and tiled per-channel constants stay
 * in registers across the group. Each lane sees the plain loop's float operations in the plain
 * loop's order (no fused multiply-add), so every result is bit for bit the plain path's. Lanes that
 * no whole vector covers run scalar after the vector loop. The gradient window uses compare masks
 * (C2 17 runs the plain sign-bit mask scalar): a failed test gives +0, a passed one keeps g.
 */
final class BnFoldVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final FloatVector ZERO = FloatVector.zero(S);

  private BnFoldVector() {}

  /** Byte views of the given tensors in native order (a null tensor gives a null view). */
  static ByteBuffer[] views(Tensor... ts) {
    ByteBuffer[] v = new ByteBuffer[ts.length];
    for (int i = 0; i < ts.length; i++) v[i] = ts[i] == null ? null : ts[i].bytes();
    return v;
  }

  /** The group's blocks that hold all L lanes from i: all but a last block shorter than i + L. */
  private static int whole(int i, int nb, int last) {
    return last >= i + L ? nb : nb - 1;
  }

  /** One element: lane j of a block, at storage offset o. */
  @FunctionalInterface
  interface Lane {
    void at(int j, int o);
  }

  /**
   * The elements the vector loop left, lane by lane in block order: the short last block's lanes
   * from its first partial vector, then lanes past the last whole vector of the width.
   */
  private static void rest(int base, int w, int nb, int last, Lane op) {
    int end = S.loopBound(w);
    for (int j = Math.min(end, last / L * L); j < Math.min(last, end); j++)
      op.at(j, base + (nb - 1) * w + j);
    for (int j = end; j < w; j++)
      for (int b = 0; b < nb; b++) if (j < (b == nb - 1 ? last : w)) op.at(j, base + b * w + j);
  }

  /**
   * Statistics of one group: a = {Σz, Σz², min, max} lane arrays; sums when {@code moments}, min
   * and max (Math.min/max) when {@code range}.
   */
  static void stats(
      ByteBuffer x,
      int base,
      int w,
      int nb,
      int last,
      float[][] a,
      boolean moments,
      boolean range) {
    float[] f1 = a[0], f2 = a[1], mn = a[2], mx = a[3];
    // One loop per case: C2 17 boxes a loop-carried vector that a branch in the loop may leave
    // as it is (five times slower); the lanes see the same operations in the same order.
    if (moments && range) both(x, base, w, nb, last, a);
    else if (moments) moments(x, base, w, nb, last, f1, f2);
    else if (range) range(x, base, w, nb, last, mn, mx);
    rest(
        base,
        w,
        nb,
        last,
        (j, o) -> {
          float v = x.getFloat(o << 2);
          if (moments) {
            f1[j] += v;
            f2[j] += v * v;
          }
          if (range) {
            mn[j] = Math.min(mn[j], v);
            mx[j] = Math.max(mx[j], v);
          }
        });
  }

  /**
   * {@link #moments} and {@link #range} in one read, two lane vectors at a time where both cover
   * the same blocks: the four running values of one vector form a chain of dependent min/max
   * (several instructions each on AVX2), so a second independent chain nearly halves the time.
   */
  private static void both(ByteBuffer x, int base, int w, int nb, int last, float[][] a) {
    for (int i = 0, end = S.loopBound(w); i < end; ) {
      int n = whole(i, nb, last);
      boolean pair = i + L < end && whole(i + L, nb, last) == n;
      if (pair) bothPair(x, base, w, n, i, a);
      else bothOne(x, base, w, n, i, a);
      i += pair ? 2 * L : L;
    }
  }

  /** Lane vector i's sums, min and max over blocks [0, n). */
  private static void bothOne(ByteBuffer x, int base, int w, int n, int i, float[][] a) {
    float[] f1 = a[0], f2 = a[1], mn = a[2], mx = a[3];
    FloatVector s1 = FloatVector.fromArray(S, f1, i), s2 = FloatVector.fromArray(S, f2, i);
    FloatVector lo = FloatVector.fromArray(S, mn, i), hi = FloatVector.fromArray(S, mx, i);
    for (int b = 0; b < n; b++) {
      FloatVector v = FloatVector.fromByteBuffer(S, x, (base + b * w + i) << 2, NATIVE);
      s1 = s1.add(v);
      s2 = s2.add(v.mul(v));
      lo = lo.min(v);
      hi = hi.max(v);
    }
    s1.intoArray(f1, i);
    s2.intoArray(f2, i);
    lo.intoArray(mn, i);
    hi.intoArray(mx, i);
  }

  /** {@link #bothOne} for lane vectors i and i + L together (the same operations per lane). */
  private static void bothPair(ByteBuffer x, int base, int w, int n, int i, float[][] a) {
    float[] f1 = a[0], f2 = a[1], mn = a[2], mx = a[3];
    int j = i + L;
    FloatVector s1 = FloatVector.fromArray(S, f1, i), s2 = FloatVector.fromArray(S, f2, i);
    FloatVector lo = FloatVector.fromArray(S, mn, i), hi = FloatVector.fromArray(S, mx, i);
    FloatVector t1 = FloatVector.fromArray(S, f1, j), t2 = FloatVector.fromArray(S, f2, j);
    FloatVector lo2 = FloatVector.fromArray(S, mn, j), hi2 = FloatVector.fromArray(S, mx, j);
    for (int b = 0; b < n; b++) {
      int o = (base + b * w + i) << 2;
      FloatVector v = FloatVector.fromByteBuffer(S, x, o, NATIVE);
      FloatVector u = FloatVector.fromByteBuffer(S, x, o + (L << 2), NATIVE);
      s1 = s1.add(v);
      s2 = s2.add(v.mul(v));
      lo = lo.min(v);
      hi = hi.max(v);
      t1 = t1.add(u);
      t2 = t2.add(u.mul(u));
      lo2 = lo2.min(u);
      hi2 = hi2.max(u);
    }
    s1.intoArray(f1, i);
    s2.intoArray(f2, i);
    lo.intoArray(mn, i);
    hi.intoArray(mx, i);
    t1.intoArray(f1, j);
    t2.intoArray(f2, j);
    lo2.intoArray(mn, j);
    hi2.intoArray(mx, j);
  }

  /** f1 += z and f2 += z·z per lane over the group's whole vectors (column by column). */
  private static void moments(
      ByteBuffer x, int base, int w, int nb, int last, float[] f1, float[] f2) {
    for (int i = 0, end = S.loopBound(w); i < end; i += L) {
      FloatVector s1 = FloatVector.fromArray(S, f1, i), s2 = FloatVector.fromArray(S, f2, i);
      for (int b = 0, n = whole(i, nb, last); b < n; b++) {
        FloatVector v = FloatVector.fromByteBuffer(S, x, (base + b * w + i) << 2, NATIVE);
        s1 = s1.add(v);
        s2 = s2.add(v.mul(v));
      }
      s1.intoArray(f1, i);
      s2.intoArray(f2, i);
    }
  }

  /** mn = min(mn, z) and mx = max(mx, z) per lane over the group's whole vectors. */
  private static void range(
      ByteBuffer x, int base, int w, int nb, int last, float[] mn, float[] mx) {
    for (int i = 0, end = S.loopBound(w); i < end; i += L) {
      FloatVector lo = FloatVector.fromArray(S, mn, i), hi = FloatVector.fromArray(S, mx, i);
      for (int b = 0, n = whole(i, nb, last); b < n; b++) {
        FloatVector v = FloatVector.fromByteBuffer(S, x, (base + b * w + i) << 2, NATIVE);
        lo = lo.min(v);
        hi = hi.max(v);
      }
      lo.intoArray(mn, i);
      hi.intoArray(mx, i);
    }
  }

  /**
   * out = fq(act(z·mt[j] + at[j])) over one group, block by block (nothing accumulates), as {@link
   * BnFold#affineActQuant}: k = {bottom, top, nudged min, nudged max, scale, qzero}. The two clamps
   * are one, to [max(bottom, nmin), min(top, nmax)]: on the total order Math.min/max use (−0 below
   * +0) clamping twice to overlapping intervals equals clamping once to their intersection, and
   * here they overlap (bottom ≤ 0 ≤ nmax, nmin ≤ 0 &lt; top). The floor steps down where the
   * rounded value exceeds q with a compare instead of the plain loop's min/max (r is never −0, so r
   * − 0 = r): C2 emits several instructions for each Java-semantics vector min or max.
   */
  static void affineActQuant(
      ByteBuffer z, ByteBuffer out, int base, int w, int nb, int last, float[][] t, float[] k) {
    float lo = Math.max(k[0], k[2]), hi = Math.min(k[1], k[3]), nmin = k[2], s = k[4], qz = k[5];
    for (int b = 0; b < nb; b++) {
      int o = base + b * w, len = b == nb - 1 ? last : w, i = 0;
      for (int end = S.loopBound(len); i < end; i += L) {
        FloatVector xc =
            FloatVector.fromByteBuffer(S, z, (o + i) << 2, NATIVE)
                .mul(FloatVector.fromArray(S, t[0], i))
                .add(FloatVector.fromArray(S, t[1], i))
                .max(lo)
                .min(hi);
        FloatVector q = xc.sub(nmin).div(s).sub(qz).add(0.5f);
        FloatVector r = q.add(BnFold.MAGIC).sub(BnFold.MAGIC);
        r.blend(r.sub(1f), r.compare(GT, q)).mul(s).intoByteBuffer(out, (o + i) << 2, NATIVE);
      }
      for (; i < len; i++)
        out.putFloat((o + i) << 2, quantize(z.getFloat((o + i) << 2), t[0][i], t[1][i], k));
    }
  }

  /**
   * One element of {@link #affineActQuant}'s scalar tail: fq(act(v·m + a)), k as there; the same
   * float result as the vector lanes.
   */
  static float quantize(float v, float m, float a, float[] k) {
    float y = v * m + a;
    float xc = Math.min(Math.max(Math.min(Math.max(y, k[0]), k[1]), k[2]), k[3]);
    float q = (xc - k[2]) / k[4] - k[5] + 0.5f;
    float r = (q + BnFold.MAGIC) - BnFold.MAGIC;
    return (r - Math.min(1f, Math.max(0f, (r - q) * BnFold.BIG * BnFold.BIG))) * k[4];
  }

  /** The window's bounds {lo, hi, qlo, qhi}; null for none. */
  private static float[] bounds(BnFold.Window w) {
    return w == null ? null : new float[] {w.lo(), w.hi(), w.qlo(), w.qhi()};
  }

  private static float gate(float g, float y, BnFold.Window w) {
    return y > w.lo() && y < w.hi() && y >= w.qlo() && y <= w.qhi() ? g : 0f;
  }

  /**
   * {@link BnFold#gradSums} over one group: gg = g gated by the window on z·mt + at (ungated when
   * win is null), written to {@code gated} unless null; a1 += gg, a2 += gg·(z − mean); t = {mt, at,
   * mean}, a = {a1, a2}.
   */
  static void gradSums(
      ByteBuffer[] v,
      int base,
      int w,
      int nb,
      int last,
      float[][] t,
      BnFold.Window win,
      float[][] a) {
    ByteBuffer g = v[0], z = v[1], gated = v[2];
    float[] wb = bounds(win);
    float[] a1 = a[0], a2 = a[1];
    for (int i = 0, end = S.loopBound(w); i < end; i += L) {
      FloatVector m = FloatVector.fromArray(S, t[0], i),
          ad = FloatVector.fromArray(S, t[1], i),
          mean = FloatVector.fromArray(S, t[2], i);
      FloatVector s1 = FloatVector.fromArray(S, a1, i), s2 = FloatVector.fromArray(S, a2, i);
      for (int b = 0, n = whole(i, nb, last); b < n; b++) {
        int o = base + b * w + i;
        FloatVector vz = FloatVector.fromByteBuffer(S, z, o << 2, NATIVE),
            gg = FloatVector.fromByteBuffer(S, g, o << 2, NATIVE);
        if (wb != null) {
          FloatVector y = vz.mul(m).add(ad);
          VectorMask<Float> pass = y.compare(GT, wb[0]).and(y.compare(LT, wb[1]));
          gg = ZERO.blend(gg, pass.and(y.compare(GE, wb[2])).and(y.compare(LE, wb[3])));
        }
        if (gated != null) gg.intoByteBuffer(gated, o << 2, NATIVE);
        s1 = s1.add(gg);
        s2 = s2.add(gg.mul(vz.sub(mean)));
      }
      s1.intoArray(a1, i);
      s2.intoArray(a2, i);
    }
    rest(
        base,
        w,
        nb,
        last,
        (j, o) -> {
          float vz = z.getFloat(o << 2), gg = g.getFloat(o << 2);
          if (win != null) gg = gate(gg, vz * t[0][j] + t[1][j], win);
          if (gated != null) gated.putFloat(o << 2, gg);
          a1[j] += gg;
          a2[j] += gg * (vz - t[2][j]);
        });
  }

  /**
   * {@link BnFold#bnInputGrad} over one group, block by block: d = p·gg + q·(z − mean) + r, gg as
   * in {@link #gradSums}; v = {g, z, d}, t = {mt, at, mean, p, q, r}.
   */
  static void inputGrad(
      ByteBuffer[] v, int base, int w, int nb, int last, float[][] t, BnFold.Window win) {
    ByteBuffer g = v[0], z = v[1], d = v[2];
    float[] wb = bounds(win);
    for (int b = 0; b < nb; b++) {
      int o = base + b * w, len = b == nb - 1 ? last : w, i = 0;
      for (int end = S.loopBound(len); i < end; i += L) {
        FloatVector vz = FloatVector.fromByteBuffer(S, z, (o + i) << 2, NATIVE),
            gg = FloatVector.fromByteBuffer(S, g, (o + i) << 2, NATIVE);
        if (wb != null) {
          FloatVector y =
              vz.mul(FloatVector.fromArray(S, t[0], i)).add(FloatVector.fromArray(S, t[1], i));
          VectorMask<Float> pass = y.compare(GT, wb[0]).and(y.compare(LT, wb[1]));
          gg = ZERO.blend(gg, pass.and(y.compare(GE, wb[2])).and(y.compare(LE, wb[3])));
        }
        FloatVector y =
            FloatVector.fromArray(S, t[3], i)
                .mul(gg)
                .add(
                    FloatVector.fromArray(S, t[4], i)
                        .mul(vz.sub(FloatVector.fromArray(S, t[2], i))));
        y.add(FloatVector.fromArray(S, t[5], i)).intoByteBuffer(d, (o + i) << 2, NATIVE);
      }
      for (; i < len; i++) {
        float vz = z.getFloat((o + i) << 2), gg = g.getFloat((o + i) << 2);
        if (win != null) gg = gate(gg, vz * t[0][i] + t[1][i], win);
        d.putFloat((o + i) << 2, t[3][i] * gg + t[4][i] * (vz - t[2][i]) + t[5][i]);
      }
    }
  }

  /**
   * {@link BnFold#maskAndSum} over one group: gg = g gated by the window on z·mt + at (ungated when
   * win is null; z may then be null), written to d unless null; a1 += gg. v = {g, z, d}, t = {mt,
   * at}.
   */
  static void maskAndSum(
      ByteBuffer[] v,
      int base,
      int w,
      int nb,
      int last,
      float[][] t,
      BnFold.Window win,
      float[] a1) {
    ByteBuffer g = v[0], z = v[1], d = v[2];
    float[] wb = bounds(win);
    for (int i = 0, end = S.loopBound(w); i < end; i += L) {
      FloatVector m = FloatVector.fromArray(S, t[0], i),
          ad = FloatVector.fromArray(S, t[1], i),
          s1 = FloatVector.fromArray(S, a1, i);
      for (int b = 0, n = whole(i, nb, last); b < n; b++) {
        int o = base + b * w + i;
        FloatVector gg = FloatVector.fromByteBuffer(S, g, o << 2, NATIVE);
        if (wb != null) {
          FloatVector y = FloatVector.fromByteBuffer(S, z, o << 2, NATIVE).mul(m).add(ad);
          VectorMask<Float> pass = y.compare(GT, wb[0]).and(y.compare(LT, wb[1]));
          gg = ZERO.blend(gg, pass.and(y.compare(GE, wb[2])).and(y.compare(LE, wb[3])));
        }
        if (d != null) gg.intoByteBuffer(d, o << 2, NATIVE);
        s1 = s1.add(gg);
      }
      s1.intoArray(a1, i);
    }
    rest(
        base,
        w,
        nb,
        last,
        (j, o) -> {
          float gg = g.getFloat(o << 2);
          if (win != null) gg = gate(gg, z.getFloat(o << 2) * t[0][j] + t[1][j], win);
          if (d != null) d.putFloat(o << 2, gg);
          a1[j] += gg;
        });
  }
}
