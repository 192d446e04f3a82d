package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.core.Tensor;

/**
 * {@link BnFold}'s passes on the JDK Vector API, loaded only when the module jdk.incubator.vector
 * is in use ({@code VectorApi.on()}). They read and write the tensors' native storage (a byte view,
 * native order) at a block's offset instead of copying the block to the heap, and every lane does
 * the plain loop's float operations in the same order (no fused multiply-add) into the same lane
 * accumulators, so every result is bit for bit the plain path's. The gradient window uses compare
 * masks (C2 17 runs the plain sign-bit mask scalar): a failed test writes +0, a passed one keeps g.
 * Offsets are in floats; block-relative index i reads the tiled per-channel vectors at i.
 */
final class BnFoldVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final FloatVector ZERO = FloatVector.zero(S);

  private BnFoldVector() {}

  /** The tensor's storage as bytes in native order (a new view; the tensor keeps it). */
  static ByteBuffer bytes(Tensor t) {
    return t.pointer().asByteBuffer().order(NATIVE);
  }

  /** Byte views of the given tensors (a null tensor gives a null view). */
  static ByteBuffer[] views(Tensor... ts) {
    ByteBuffer[] v = new ByteBuffer[ts.length];
    for (int i = 0; i < ts.length; i++) v[i] = ts[i] == null ? null : bytes(ts[i]);
    return v;
  }

  private static FloatVector load(ByteBuffer b, int o) {
    return FloatVector.fromByteBuffer(S, b, o << 2, NATIVE);
  }

  private static FloatVector at(float[] a, int i) {
    return FloatVector.fromArray(S, a, i);
  }

  /** f1[i] += z, f2[i] += z·z over z = x[o + i], i in [0, len). */
  static void sums(ByteBuffer x, int o, int len, float[] f1, float[] f2) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector v = load(x, o + i);
      at(f1, i).add(v).intoArray(f1, i);
      at(f2, i).add(v.mul(v)).intoArray(f2, i);
    }
    for (; i < len; i++) {
      float v = x.getFloat((o + i) << 2);
      f1[i] += v;
      f2[i] += v * v;
    }
  }

  /** mn[i] = min(mn[i], z), mx[i] = max(mx[i], z) (Math.min/max) over z = x[o + i]. */
  static void minMax(ByteBuffer x, int o, int len, float[] mn, float[] mx) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector v = load(x, o + i);
      at(mn, i).min(v).intoArray(mn, i);
      at(mx, i).max(v).intoArray(mx, i);
    }
    for (; i < len; i++) {
      float v = x.getFloat((o + i) << 2);
      mn[i] = Math.min(mn[i], v);
      mx[i] = Math.max(mx[i], v);
    }
  }

  /**
   * out[o + i] = fq(act(z·mt[i] + at[i])) over [0, len) as {@link BnFold#affineActQuant}: {@code k}
   * = {bottom, top, nudged min, nudged max, scale, qzero}.
   */
  static void affineActQuant(
      ByteBuffer z, ByteBuffer out, int o, int len, float[] mt, float[] at, float[] k) {
    float bottom = k[0], top = k[1], nmin = k[2], nmax = k[3], s = k[4], qz = k[5];
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector y = load(z, o + i).mul(at(mt, i)).add(at(at, i));
      FloatVector xc = y.max(bottom).min(top).max(nmin).min(nmax);
      FloatVector q = xc.sub(nmin).div(s).sub(qz).add(0.5f);
      FloatVector r = q.add(BnFold.MAGIC).sub(BnFold.MAGIC);
      FloatVector step = r.sub(q).mul(BnFold.BIG).mul(BnFold.BIG).max(0f).min(1f);
      r.sub(step).mul(s).intoByteBuffer(out, (o + i) << 2, NATIVE);
    }
    for (; i < len; i++) {
      float y = z.getFloat((o + i) << 2) * mt[i] + at[i];
      float xc = Math.min(Math.max(Math.min(Math.max(y, bottom), top), nmin), nmax);
      float q = (xc - nmin) / s - qz + 0.5f;
      float r = (q + BnFold.MAGIC) - BnFold.MAGIC;
      out.putFloat(
          (o + i) << 2, (r - Math.min(1f, Math.max(0f, (r - q) * BnFold.BIG * BnFold.BIG))) * s);
    }
  }

  /** The window's gate on y: g where lo &lt; y &lt; hi and qlo ≤ y ≤ qhi, else +0. */
  private static FloatVector gate(FloatVector g, FloatVector y, BnFold.Window w) {
    VectorMask<Float> pass =
        y.compare(VectorOperators.GT, w.lo())
            .and(y.compare(VectorOperators.LT, w.hi()))
            .and(y.compare(VectorOperators.GE, w.qlo()))
            .and(y.compare(VectorOperators.LE, w.qhi()));
    return ZERO.blend(g, pass);
  }

  private static float gate(float g, float y, BnFold.Window w) {
    return y > w.lo() && y < w.hi() && y >= w.qlo() && y <= w.qhi() ? g : 0f;
  }

  /**
   * One block of {@link BnFold#gradSums}: gg = g gated by the window on z·mt + at (ungated when w
   * is null), written to {@code gated} at o + i unless null; a1[i] += gg, a2[i] += gg·(z −
   * mean[i]); t = {mt, at, mean}.
   */
  static void gradSums(
      ByteBuffer g,
      ByteBuffer z,
      ByteBuffer gated,
      int o,
      int len,
      float[][] t,
      BnFold.Window w,
      float[] a1,
      float[] a2) {
    float[] mt = t[0], ad = t[1], mean = t[2];
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector vz = load(z, o + i), gg = load(g, o + i);
      if (w != null) gg = gate(gg, vz.mul(at(mt, i)).add(at(ad, i)), w);
      if (gated != null) gg.intoByteBuffer(gated, (o + i) << 2, NATIVE);
      at(a1, i).add(gg).intoArray(a1, i);
      at(a2, i).add(gg.mul(vz.sub(at(mean, i)))).intoArray(a2, i);
    }
    for (; i < len; i++) {
      float vz = z.getFloat((o + i) << 2), gg = g.getFloat((o + i) << 2);
      if (w != null) gg = gate(gg, vz * mt[i] + ad[i], w);
      if (gated != null) gated.putFloat((o + i) << 2, gg);
      a1[i] += gg;
      a2[i] += gg * (vz - mean[i]);
    }
  }

  /**
   * One block of {@link BnFold#bnInputGrad}: d = p·gg + q·(z − mean) + r, gg as in {@link
   * #gradSums}; t = {mt, at, mean, p, q, r}.
   */
  static void inputGrad(
      ByteBuffer g, ByteBuffer z, ByteBuffer d, int o, int len, float[][] t, BnFold.Window w) {
    float[] mt = t[0], ad = t[1], mean = t[2], p = t[3], q = t[4], r = t[5];
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector vz = load(z, o + i), gg = load(g, o + i);
      if (w != null) gg = gate(gg, vz.mul(at(mt, i)).add(at(ad, i)), w);
      FloatVector v = at(p, i).mul(gg).add(at(q, i).mul(vz.sub(at(mean, i)))).add(at(r, i));
      v.intoByteBuffer(d, (o + i) << 2, NATIVE);
    }
    for (; i < len; i++) {
      float vz = z.getFloat((o + i) << 2), gg = g.getFloat((o + i) << 2);
      if (w != null) gg = gate(gg, vz * mt[i] + ad[i], w);
      d.putFloat((o + i) << 2, p[i] * gg + q[i] * (vz - mean[i]) + r[i]);
    }
  }

  /**
   * One block of {@link BnFold#maskAndSum}: gg = g gated by the window on z + at (ungated when w is
   * null; z may then be null), written to d unless null; a1[i] += gg.
   */
  static void maskAndSum(
      ByteBuffer g,
      ByteBuffer z,
      ByteBuffer d,
      int o,
      int len,
      float[] ad,
      BnFold.Window w,
      float[] a1) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector gg = load(g, o + i);
      if (w != null) gg = gate(gg, load(z, o + i).mul(1f).add(at(ad, i)), w);
      if (d != null) gg.intoByteBuffer(d, (o + i) << 2, NATIVE);
      at(a1, i).add(gg).intoArray(a1, i);
    }
    for (; i < len; i++) {
      float gg = g.getFloat((o + i) << 2);
      if (w != null) gg = gate(gg, z.getFloat((o + i) << 2) * 1f + ad[i], w);
      if (d != null) d.putFloat((o + i) << 2, gg);
      a1[i] += gg;
    }
  }
}
