package org.qat4j.quant.layers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ConvBatchNorm#prepareKernel}'s folding pass on the Vector API (loaded only when {@code
 * VectorApi.on()}): k = w·sf over a kernel of rows of C output channels (the channel fastest), with
 * the per-channel or per-tensor min and max of k (Math.min/max, which give the same bits in any
 * order). Each element sees the plain loop's one multiply, so the result is bit for bit the plain
 * loop's. Channels past the last whole vector run scalar.
 */
final class FoldVector {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

  private FoldVector() {}

  /** k = w·sf for n elements (rows of sf.length). */
  static void fold(ByteBuffer w, ByteBuffer k, float[] sf, int n) {
    int c = sf.length, rows = n / c, ch = 0;
    for (int end = S.loopBound(c); ch < end; ch += L) {
      FloatVector s = FloatVector.fromArray(S, sf, ch);
      for (int r = 0, o = ch; r < rows; r++, o += c)
        FloatVector.fromByteBuffer(S, w, o << 2, NATIVE).mul(s).intoByteBuffer(k, o << 2, NATIVE);
    }
    for (; ch < c; ch++)
      for (int o = ch; o < n; o += c) k.putFloat(o << 2, w.getFloat(o << 2) * sf[ch]);
  }

  /**
   * As {@link #fold}, with lo[j] = min(lo[j], k) and hi[j] = max(hi[j], k) over channel j's
   * elements (lo and hi of length C), or over all elements (length 1).
   */
  static void foldRange(ByteBuffer w, ByteBuffer k, float[] sf, int n, float[] lo, float[] hi) {
    int c = sf.length, rows = n / c, ch = 0;
    boolean perTensor = lo.length == 1;
    // Per tensor: per-lane ranges first, folded at the end (min and max in any order).
    float[] l = perTensor ? BnFold.filled(c, lo[0]) : lo,
        h = perTensor ? BnFold.filled(c, hi[0]) : hi;
    for (int end = S.loopBound(c); ch < end; ch += L) {
      FloatVector s = FloatVector.fromArray(S, sf, ch);
      FloatVector mn = FloatVector.fromArray(S, l, ch), mx = FloatVector.fromArray(S, h, ch);
      for (int r = 0, o = ch; r < rows; r++, o += c) {
        FloatVector v = FloatVector.fromByteBuffer(S, w, o << 2, NATIVE).mul(s);
        v.intoByteBuffer(k, o << 2, NATIVE);
        mn = mn.min(v);
        mx = mx.max(v);
      }
      mn.intoArray(l, ch);
      mx.intoArray(h, ch);
    }
    for (; ch < c; ch++) {
      for (int o = ch; o < n; o += c) {
        float v = w.getFloat(o << 2) * sf[ch];
        k.putFloat(o << 2, v);
        l[ch] = Math.min(l[ch], v);
        h[ch] = Math.max(h[ch], v);
      }
    }
    if (!perTensor) return;
    for (int j = 0; j < c; j++) {
      lo[0] = Math.min(lo[0], l[j]);
      hi[0] = Math.max(hi[0], h[j]);
    }
  }
}
