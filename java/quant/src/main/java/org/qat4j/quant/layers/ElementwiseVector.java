package org.qat4j.quant.layers;

import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.NE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.qat4j.quant.quantizers.MaskLanes;

/**
 * {@link Elementwise}'s loops on the JDK Vector API over the tensors' native storage (byte views,
 * native order), loaded only when {@code VectorApi.on()}. Each lane runs the plain loop's float
 * operations, and the activation gate tests the sign bits of the same two differences the plain
 * loop tests (so even a NaN passes or fails as there), so every result is the plain path's bit for
 * bit.
 */
final class ElementwiseVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  /** Byte lanes for the mask, or null at 128-bit vectors ({@link #gate} then runs plain loops). */
  private static final VectorSpecies<Byte> B = MaskLanes.BYTES;

  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
  private static final FloatVector ZERO = FloatVector.zero(S);

  private ElementwiseVector() {}

  /**
   * d = act(s·mt[j] + at[j]) over [base, base + len) (whole rows, j from 0), clamped with
   * Math.max(·, lo) then Math.min(·, hi) as the plain loop.
   */
  static void affineActivate(
      ByteBuffer s, ByteBuffer d, int base, int len, float[] mt, float[] at, float lo, float hi) {
    int i = 0;
    for (int end = S.loopBound(len); i < end; i += L) {
      FloatVector x = FloatVector.fromByteBuffer(S, s, (base + i) << 2, NATIVE);
      x.mul(FloatVector.fromArray(S, mt, i))
          .add(FloatVector.fromArray(S, at, i))
          .max(lo)
          .min(hi)
          .intoByteBuffer(d, (base + i) << 2, NATIVE);
    }
    for (; i < len; i++) {
      float v = s.getFloat((base + i) << 2) * mt[i] + at[i];
      d.putFloat((base + i) << 2, Math.min(Math.max(v, lo), hi));
    }
  }

  /**
   * d = g over [off, off + len) where the activation passes (when {@code gate}: the sign bits of 0
   * − y and y − hi both set, as the plain loop tests them) and mask (unless null) is not 0, else
   * +0.
   */
  static void activationMask(
      ByteBuffer g,
      ByteBuffer y,
      ByteBuffer d,
      int off,
      int len,
      boolean gate,
      float hi,
      byte[] mask) {
    int i = 0;
    for (int end = mask != null && B == null ? 0 : S.loopBound(len); i < end; i += L) {
      int o = (off + i) << 2;
      FloatVector vg = FloatVector.fromByteBuffer(S, g, o, NATIVE);
      if (gate) {
        FloatVector vy = FloatVector.fromByteBuffer(S, y, o, NATIVE);
        IntVector a = ZERO.sub(vy).reinterpretAsInts(), b = vy.sub(hi).reinterpretAsInts();
        vg = ZERO.blend(vg, a.and(b).compare(LT, 0).cast(S));
      }
      if (mask != null) {
        IntVector m = (IntVector) ByteVector.fromArray(B, mask, off + i).convertShape(B2I, I, 0);
        vg = ZERO.blend(vg, m.compare(NE, 0).cast(S));
      }
      vg.intoByteBuffer(d, o, NATIVE);
    }
    for (; i < len; i++) {
      int o = (off + i) << 2;
      float v = g.getFloat(o);
      if (gate) {
        float u = y.getFloat(o);
        int pass = (Float.floatToRawIntBits(0f - u) & Float.floatToRawIntBits(u - hi)) >> 31;
        v = Float.intBitsToFloat(Float.floatToRawIntBits(v) & pass);
      }
      if (mask != null && mask[off + i] == 0) v = 0f;
      d.putFloat(o, v);
    }
  }
}
