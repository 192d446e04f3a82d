package org.qat4j.core.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * JDK Vector API kernels of {@link Optimizer}, {@link Adam} and {@link Sgd}, loaded only when the
 * module jdk.incubator.vector is in the boot layer and {@link
 * org.qat4j.ir.internal.VectorApi#on()}. They read the parameter's value and gradient in place (the
 * tensors' native storage as bytes, native order) instead of copying blocks to the heap. Every lane
 * does the float operations of the plain loops in the same order (IEEE add, multiply, divide and
 * square root, no fused multiply-add), so the results are bit for bit those of the plain path.
 * Indices are in floats.
 */
final class OptimizerVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private OptimizerVector() {}

  /** Whether g[lo, hi) holds no NaN and no infinity. */
  static boolean finite(ByteBuffer g, int lo, int hi) {
    // As the plain check: a sum of g·0 stays (±)0 unless an element is NaN or infinite. Four
    // quarters are read side by side: one stream alone waits on memory (89 -> 53 us, Zen 2).
    int q = (hi - lo) / (4 * L) * L;
    FloatVector z0 = FloatVector.zero(S), z1 = z0, z2 = z0, z3 = z0;
    for (int i = lo << 2, end = (lo + q) << 2, b = q << 2; i < end; i += L << 2) {
      z0 = z0.add(FloatVector.fromByteBuffer(S, g, i, NATIVE).mul(0f));
      z1 = z1.add(FloatVector.fromByteBuffer(S, g, i + b, NATIVE).mul(0f));
      z2 = z2.add(FloatVector.fromByteBuffer(S, g, i + 2 * b, NATIVE).mul(0f));
      z3 = z3.add(FloatVector.fromByteBuffer(S, g, i + 3 * b, NATIVE).mul(0f));
    }
    float s = z0.add(z1).add(z2).add(z3).reduceLanes(VectorOperators.ADD);
    for (int i = lo + 4 * q; i < hi; i++) s += g.getFloat(i << 2) * 0f;
    return Float.isFinite(s);
  }

  /**
   * One Adam update of elements [lo, hi): w and g are the value and gradient storage (g is only
   * read), m and v the moment slots, k the coefficients of {@link Adam#coefficients}.
   */
  static void adam(ByteBuffer w, ByteBuffer g, float[] m, float[] v, int lo, int hi, float[] k) {
    // Once 1 − β₁ᵗ rounds to 1 (t ≥ 165 at β₁ 0.9), m / c1 is m itself: that loop skips the
    // division (a quarter of the divider's work, which bounds this loop on AVX2).
    int i = k[4] == 1f ? adamLate(w, g, m, v, lo, hi, k) : adamEarly(w, g, m, v, lo, hi, k);
    float b1 = k[0], a1 = k[1], b2 = k[2], a2 = k[3], c1 = k[4], c2 = k[5];
    float rate = k[6], eps = k[7], l2 = k[8], shrink = k[9];
    for (; i < hi; i++) {
      float wi = w.getFloat(i << 2), gi = g.getFloat(i << 2);
      if (l2 != 0f) gi += l2 * wi;
      m[i] = b1 * m[i] + a1 * gi;
      v[i] = b2 * v[i] + a2 * gi * gi;
      float mh = m[i] / c1, vh = v[i] / c2;
      w.putFloat(i << 2, wi * shrink - rate * mh / ((float) Math.sqrt(vh) + eps));
    }
  }

  /**
   * The vector part of {@link #adam} with the bias correction of m; returns the first index left.
   */
  private static int adamEarly(
      ByteBuffer w, ByteBuffer g, float[] m, float[] v, int lo, int hi, float[] k) {
    float b1 = k[0], a1 = k[1], b2 = k[2], a2 = k[3], c1 = k[4], c2 = k[5];
    float rate = k[6], eps = k[7], l2 = k[8], shrink = k[9];
    boolean decay = l2 != 0f;
    int i = lo;
    for (int end = lo + S.loopBound(hi - lo); i < end; i += L) {
      FloatVector wi = FloatVector.fromByteBuffer(S, w, i << 2, NATIVE);
      FloatVector gi = FloatVector.fromByteBuffer(S, g, i << 2, NATIVE);
      if (decay) gi = gi.add(wi.mul(l2));
      FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(a1));
      FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(a2).mul(gi));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      FloatVector step = mi.div(c1).mul(rate).div(vi.div(c2).sqrt().add(eps));
      wi.mul(shrink).sub(step).intoByteBuffer(w, i << 2, NATIVE);
    }
    return i;
  }

  /** {@link #adamEarly} when c1 is 1: m / 1 is m exactly (NaN and infinities too). */
  private static int adamLate(
      ByteBuffer w, ByteBuffer g, float[] m, float[] v, int lo, int hi, float[] k) {
    float b1 = k[0], a1 = k[1], b2 = k[2], a2 = k[3], c2 = k[5];
    float rate = k[6], eps = k[7], l2 = k[8], shrink = k[9];
    boolean decay = l2 != 0f;
    int i = lo;
    for (int end = lo + S.loopBound(hi - lo); i < end; i += L) {
      FloatVector wi = FloatVector.fromByteBuffer(S, w, i << 2, NATIVE);
      FloatVector gi = FloatVector.fromByteBuffer(S, g, i << 2, NATIVE);
      if (decay) gi = gi.add(wi.mul(l2));
      FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(a1));
      FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(a2).mul(gi));
      mi.intoArray(m, i);
      vi.intoArray(v, i);
      FloatVector step = mi.mul(rate).div(vi.div(c2).sqrt().add(eps));
      wi.mul(shrink).sub(step).intoByteBuffer(w, i << 2, NATIVE);
    }
    return i;
  }

  /**
   * One SGD update of elements [lo, hi): w and g as in {@link #adam}, v the momentum slot (null
   * without momentum); k = {rate, L2 decay, momentum, 1 for Nesterov}, as {@link Sgd}'s loops.
   */
  static void sgd(ByteBuffer w, ByteBuffer g, float[] v, int lo, int hi, float[] k) {
    float rate = k[0], l2 = k[1], mu = k[2];
    boolean decay = l2 != 0f, nesterov = k[3] != 0f;
    int i = lo;
    for (int end = lo + S.loopBound(hi - lo); i < end; i += L) {
      FloatVector wi = FloatVector.fromByteBuffer(S, w, i << 2, NATIVE);
      FloatVector gi = FloatVector.fromByteBuffer(S, g, i << 2, NATIVE);
      if (decay) gi = gi.add(wi.mul(l2));
      FloatVector d = gi;
      if (v != null) {
        FloatVector vi = FloatVector.fromArray(S, v, i).mul(mu).add(gi);
        vi.intoArray(v, i);
        d = nesterov ? gi.add(vi.mul(mu)) : vi;
      }
      wi.sub(d.mul(rate)).intoByteBuffer(w, i << 2, NATIVE);
    }
    for (; i < hi; i++) {
      float wi = w.getFloat(i << 2), gi = g.getFloat(i << 2);
      if (decay) gi += l2 * wi;
      float d = gi;
      if (v != null) {
        v[i] = mu * v[i] + gi;
        d = nesterov ? gi + mu * v[i] : v[i];
      }
      w.putFloat(i << 2, wi - rate * d);
    }
  }
}
