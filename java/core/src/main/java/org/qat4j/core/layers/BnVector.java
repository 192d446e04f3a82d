package org.qat4j.core.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * JDK Vector API kernels of {@link BatchNormalization} and {@link BnActPool}, loaded only when the
 * module jdk.incubator.vector is in the boot layer ({@link Lanes#VECTOR}). They read and write the
 * tensors' native storage (a byte view, native order) instead of copying blocks to the heap, and
 * read per-channel vectors at any offset, so the 2×2 pool needs no tap copies. Every lane does the
 * same float operations in the same order as the plain loops ({@link Lanes}, {@link Pool2x2}; no
 * fused multiply-add): the results are bit for bit those of the plain path. Offsets are in floats;
 * channels past the last whole vector run as scalar tails.
 */
final class BnVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final FloatVector ZERO = FloatVector.zero(S);
  private static final FloatVector IOTA = FloatVector.fromArray(S, iota(), 0);

  private BnVector() {}

  private static float[] iota() {
    float[] f = new float[L];
    for (int i = 0; i < L; i++) f[i] = i;
    return f;
  }

  /**
   * One sample's fused BN → act → 2×2 pool forward: x from xo, out from yo, arg-max indices and raw
   * maxima (ixm = {idx, xm}) from mo; ab = {a, b} per channel.
   */
  static void poolSample(
      ByteBuffer x,
      int xo,
      ConvGeometry g,
      float[][] ab,
      float cap,
      ByteBuffer out,
      int yo,
      float[][] ixm,
      int mo) {
    int c = g.c(), row = g.w() * c;
    for (int oy = 0; oy < g.oh(); oy++) {
      for (int ox = 0; ox < g.ow(); ox++) {
        int base = 2 * oy * row + 2 * ox * c, o = (oy * g.ow() + ox) * c;
        window(x, xo + base, row, c, ab, cap, out, yo + o, ixm, mo + o, base);
      }
    }
  }

  /**
   * One sample's fused backward second pass: dx from xo for every input pixel, from the routed
   * gradient and arg-max of {@link #routedSums} and {@link #poolSample} (gi = {gs, idx}, from mo).
   */
  static void poolGradSample(
      ByteBuffer x, ByteBuffer d, int xo, ConvGeometry g, float[][] pqr, float[][] gi, int mo) {
    int c = g.c(), row = g.w() * c, ow = g.ow();
    for (int oy = 0; oy < g.oh(); oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int base = 2 * oy * row + 2 * ox * c;
        windowGrad(x, d, xo + base, row, c, pqr, gi, mo + (oy * ow + ox) * c, base);
      }
      for (int dy = 0; dy < 2; dy++) {
        int p = (2 * oy + dy) * row + 2 * ow * c;
        outside(x, d, xo + p, g.w() - 2 * ow, c, pqr);
      }
    }
    int rest = 2 * g.oh() * row;
    outside(x, d, xo + rest, g.h() * g.w() - rest / c, c, pqr);
  }

  private static FloatVector load(ByteBuffer b, int o) {
    return FloatVector.fromByteBuffer(S, b, o << 2, NATIVE);
  }

  /** s1[i] += x[o + i], s2[i] += x[o + i]² over i in [0, len). */
  static void sums(ByteBuffer x, int o, int len, float[] s1, float[] s2) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector e = load(x, o + i);
      FloatVector.fromArray(S, s1, i).add(e).intoArray(s1, i);
      FloatVector.fromArray(S, s2, i).add(e.mul(e)).intoArray(s2, i);
    }
    for (; i < len; i++) {
      float e = x.getFloat((o + i) << 2);
      s1[i] += e;
      s2[i] += e * e;
    }
  }

  /**
   * s1[i] += g, s2[i] += g·(x[o + i] − mu[i])·is[i] over [0, len), g = dy[o + i] gated by the
   * activation output y (kept iff 0 &lt; y &lt; cap), or ungated when y is null.
   */
  static void gradSums(
      ByteBuffer dy, ByteBuffer y, float cap, ByteBuffer x, int o, int len, float[][] mis) {
    float[] mu = mis[0], is = mis[1], s1 = mis[2], s2 = mis[3];
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector g = load(dy, o + i);
      if (y != null) g = gate(g, load(y, o + i), cap);
      FloatVector xh = load(x, o + i).sub(FloatVector.fromArray(S, mu, i));
      xh = xh.mul(FloatVector.fromArray(S, is, i));
      FloatVector.fromArray(S, s1, i).add(g).intoArray(s1, i);
      FloatVector.fromArray(S, s2, i).add(g.mul(xh)).intoArray(s2, i);
    }
    for (; i < len; i++) {
      float g = dy.getFloat((o + i) << 2);
      if (y != null) g = gate(g, y.getFloat((o + i) << 2), cap);
      s1[i] += g;
      s2[i] += g * ((x.getFloat((o + i) << 2) - mu[i]) * is[i]);
    }
  }

  /** The ReLU / ReLU6 derivative: g where 0 &lt; y &lt; cap, else +0 (as {@link Lanes#gate}). */
  private static FloatVector gate(FloatVector g, FloatVector y, float cap) {
    return ZERO.blend(g, y.compare(VectorOperators.GT, 0f).and(y.lt(cap)));
  }

  private static float gate(float g, float y, float cap) {
    return y > 0f && y < cap ? g : 0f;
  }

  /** y[o + i] = clamp(a[i]·x[o + i] + b[i], 0, cap) over [0, len); no clamp when cap is NaN. */
  static void affine(ByteBuffer x, ByteBuffer y, int o, int len, float[] a, float[] b, float cap) {
    boolean clamp = !Float.isNaN(cap);
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector v = FloatVector.fromArray(S, a, i).mul(load(x, o + i));
      v = v.add(FloatVector.fromArray(S, b, i));
      if (clamp) v = v.max(0f).min(cap);
      v.intoByteBuffer(y, (o + i) << 2, NATIVE);
    }
    for (; i < len; i++) {
      float v = a[i] * x.getFloat((o + i) << 2) + b[i];
      y.putFloat((o + i) << 2, clamp ? Math.min(Math.max(v, 0f), cap) : v);
    }
  }

  /**
   * d[o + i] = p[i]·g + q[i]·x[o + i] + r[i] over [0, len), g = dy[o + i] gated by y as in {@link
   * #gradSums} (ungated when y is null); pqr = {p, q, r}.
   */
  static void combine(
      ByteBuffer dy,
      ByteBuffer y,
      float cap,
      ByteBuffer x,
      ByteBuffer d,
      int o,
      int len,
      float[][] pqr) {
    float[] p = pqr[0], q = pqr[1], r = pqr[2];
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector g = load(dy, o + i);
      if (y != null) g = gate(g, load(y, o + i), cap);
      FloatVector v = FloatVector.fromArray(S, p, i).mul(g);
      v =
          v.add(FloatVector.fromArray(S, q, i).mul(load(x, o + i)))
              .add(FloatVector.fromArray(S, r, i));
      v.intoByteBuffer(d, (o + i) << 2, NATIVE);
    }
    for (; i < len; i++) {
      float g = dy.getFloat((o + i) << 2);
      if (y != null) g = gate(g, y.getFloat((o + i) << 2), cap);
      d.putFloat((o + i) << 2, p[i] * g + q[i] * x.getFloat((o + i) << 2) + r[i]);
    }
  }

  /**
   * The 2×2 pool forward of one window row's pixel: taps at x[xp], x[xp + C], x[xp + row], x[xp +
   * row + C] (C channels each), after y = a·x + b per channel. Writes out[yp..] = clamp(max, 0,
   * cap), idx[mp..] = in-sample index of the first maximal tap (base = the top-left tap's in-sample
   * index), xm[mp..] = the raw x at that tap.
   */
  static void window(
      ByteBuffer x,
      int xp,
      int row,
      int c,
      float[][] ab,
      float cap,
      ByteBuffer out,
      int yp,
      float[][] ixm,
      int mp,
      int base) {
    float[] a = ab[0], b = ab[1], idx = ixm[0], xm = ixm[1];
    FloatVector fc = FloatVector.broadcast(S, c), fr = FloatVector.broadcast(S, row);
    FloatVector frc = FloatVector.broadcast(S, row + c);
    int ch = 0;
    for (int end = S.loopBound(c); ch < end; ch += L) {
      FloatVector va = FloatVector.fromArray(S, a, ch), vb = FloatVector.fromArray(S, b, ch);
      FloatVector x0 = load(x, xp + ch), x1 = load(x, xp + c + ch);
      FloatVector x2 = load(x, xp + row + ch), x3 = load(x, xp + row + c + ch);
      FloatVector t0 = va.mul(x0).add(vb), t1 = va.mul(x1).add(vb);
      FloatVector t2 = va.mul(x2).add(vb), t3 = va.mul(x3).add(vb);
      FloatVector m = t0.max(t1).max(t2.max(t3));
      VectorMask<Float> e0 = t0.eq(m), e1 = t1.eq(m), e2 = t2.eq(m);
      FloatVector at = frc.blend(fr, e2).blend(fc, e1).blend(ZERO, e0);
      IOTA.add(base + ch).add(at).intoArray(idx, mp + ch);
      x3.blend(x2, e2).blend(x1, e1).blend(x0, e0).intoArray(xm, mp + ch);
      m.max(0f).min(cap).intoByteBuffer(out, (yp + ch) << 2, NATIVE);
    }
    for (; ch < c; ch++) {
      float x0 = x.getFloat((xp + ch) << 2), x1 = x.getFloat((xp + c + ch) << 2);
      float x2 = x.getFloat((xp + row + ch) << 2), x3 = x.getFloat((xp + row + c + ch) << 2);
      float t0 = a[ch] * x0 + b[ch], t1 = a[ch] * x1 + b[ch];
      float t2 = a[ch] * x2 + b[ch], t3 = a[ch] * x3 + b[ch];
      float m = Math.max(Math.max(t0, t1), Math.max(t2, t3));
      idx[mp + ch] = base + ch + (t0 == m ? 0 : t1 == m ? c : t2 == m ? row : row + c);
      xm[mp + ch] = t0 == m ? x0 : t1 == m ? x1 : t2 == m ? x2 : x3;
      out.putFloat((yp + ch) << 2, Math.min(Math.max(m, 0f), cap));
    }
  }

  /**
   * One sample's pooled first backward pass, flat over [0, len): g = dy[o + i] gated by y[o + i],
   * kept in gs[mo + i]; s1[i] += g, s2[i] += g·(xm[mo + i] − mu[i])·is[i], with xm the raw x at the
   * arg-max from {@link #window}; mis = {mu, is, s1, s2}.
   */
  static void routedSums(
      ByteBuffer dy, ByteBuffer y, float cap, int o, int len, float[][] gx, int mo, float[][] mis) {
    float[] gs = gx[0], xm = gx[1], mu = mis[0], is = mis[1], s1 = mis[2], s2 = mis[3];
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector g = gate(load(dy, o + i), load(y, o + i), cap);
      g.intoArray(gs, mo + i);
      FloatVector xh = FloatVector.fromArray(S, xm, mo + i).sub(FloatVector.fromArray(S, mu, i));
      xh = xh.mul(FloatVector.fromArray(S, is, i));
      FloatVector.fromArray(S, s1, i).add(g).intoArray(s1, i);
      FloatVector.fromArray(S, s2, i).add(g.mul(xh)).intoArray(s2, i);
    }
    for (; i < len; i++) {
      float g = gate(dy.getFloat((o + i) << 2), y.getFloat((o + i) << 2), cap);
      gs[mo + i] = g;
      s1[i] += g;
      s2[i] += g * ((xm[mo + i] - mu[i]) * is[i]);
    }
  }

  /**
   * dx of one 2×2 window (taps as in {@link #window}): p·g + q·x + r per tap, g the routed gradient
   * gs[mp..] at the tap idx[mp..] names and +0 at the others (the plain path's zeroed scatter
   * target plus the gradient); pqr = {p, q, r} per channel, gi = {gs, idx}. Written out per tap: a
   * helper taking the gradient vector ran about 1.4× slower (C2 17).
   */
  static void windowGrad(
      ByteBuffer x,
      ByteBuffer d,
      int xp,
      int row,
      int c,
      float[][] pqr,
      float[][] gi,
      int mp,
      int base) {
    float[] gs = gi[0], idx = gi[1], p = pqr[0], q = pqr[1], r = pqr[2];
    int ch = 0;
    for (int end = S.loopBound(c); ch < end; ch += L) {
      FloatVector z = FloatVector.zero(S), g = z.add(FloatVector.fromArray(S, gs, mp + ch));
      FloatVector at = FloatVector.fromArray(S, idx, mp + ch).sub(IOTA.add(base + ch));
      FloatVector vp = FloatVector.fromArray(S, p, ch), vq = FloatVector.fromArray(S, q, ch);
      FloatVector vr = FloatVector.fromArray(S, r, ch);
      int b0 = (xp + ch) << 2, b1 = b0 + (c << 2), b2 = b0 + (row << 2), b3 = b2 + (c << 2);
      FloatVector x0 = FloatVector.fromByteBuffer(S, x, b0, NATIVE);
      vp.mul(z.blend(g, at.eq(0f))).add(vq.mul(x0)).add(vr).intoByteBuffer(d, b0, NATIVE);
      FloatVector x1 = FloatVector.fromByteBuffer(S, x, b1, NATIVE);
      vp.mul(z.blend(g, at.eq(c))).add(vq.mul(x1)).add(vr).intoByteBuffer(d, b1, NATIVE);
      FloatVector x2 = FloatVector.fromByteBuffer(S, x, b2, NATIVE);
      vp.mul(z.blend(g, at.eq(row))).add(vq.mul(x2)).add(vr).intoByteBuffer(d, b2, NATIVE);
      FloatVector x3 = FloatVector.fromByteBuffer(S, x, b3, NATIVE);
      vp.mul(z.blend(g, at.eq(row + c))).add(vq.mul(x3)).add(vr).intoByteBuffer(d, b3, NATIVE);
    }
    int[] off = {0, c, row, row + c};
    for (; ch < c; ch++) {
      float g = 0f + gs[mp + ch], at = idx[mp + ch] - (base + ch);
      for (int t = 0; t < 4; t++) {
        int o = (xp + off[t] + ch) << 2;
        float gt = at == off[t] ? g : 0f;
        d.putFloat(o, p[ch] * gt + q[ch] * x.getFloat(o) + r[ch]);
      }
    }
  }

  /** dx of {@code pixels} pixels from x[xp] outside every window: p·0 + q·x + r per channel. */
  static void outside(ByteBuffer x, ByteBuffer d, int xp, int pixels, int c, float[][] pqr) {
    float[] p = pqr[0], q = pqr[1], r = pqr[2];
    for (int px = 0; px < pixels; px++) {
      int o = xp + px * c, ch = 0;
      for (int end = S.loopBound(c); ch < end; ch += L) {
        FloatVector v = FloatVector.fromArray(S, p, ch).mul(FloatVector.zero(S));
        v = v.add(FloatVector.fromArray(S, q, ch).mul(load(x, o + ch)));
        v.add(FloatVector.fromArray(S, r, ch)).intoByteBuffer(d, (o + ch) << 2, NATIVE);
      }
      for (; ch < c; ch++) {
        int b = (o + ch) << 2;
        d.putFloat(b, p[ch] * 0f + q[ch] * x.getFloat(b) + r[ch]);
      }
    }
  }
}
