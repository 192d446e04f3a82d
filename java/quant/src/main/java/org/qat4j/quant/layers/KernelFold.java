package org.qat4j.quant.layers;

import java.nio.FloatBuffer;

/**
 * {@link ConvBatchNorm#prepareKernel}'s folding pass in plain Java on heap blocks: k = w·sf over a
 * kernel of rows of C output channels (the channel fastest), with the per-channel or per-tensor min
 * and max of k. Blocks of whole rows with sf tiled to the block, so the loops are flat and C2
 * vectorizes them; each element sees one multiply, and Math.min/max give the same bits in any order
 * (NaN and ±0 included), so the results are bit for bit those of {@link FoldVector} and of the
 * channel-counter loop. Used for kernels too small for {@link FoldVector}: called once a step, its
 * Vector API loop runs as C1 code (every vector a heap object) for the first 20 or so steps.
 */
final class KernelFold {
  /** Kernels of at least this many elements take {@link FoldVector} with the Vector API. */
  static final int VECTOR_MIN = 1 << 16;

  private KernelFold() {}

  /**
   * k = w·sf for n elements (rows of sf.length); when lo is not null, lo[j] = min(lo[j], k) and
   * hi[j] = max(hi[j], k) over channel j's elements (lo and hi of length C), or over all elements
   * (length 1).
   */
  static void fold(FloatBuffer w, FloatBuffer k, float[] sf, int n, float[] lo, float[] hi) {
    int c = sf.length, width = Math.min(BnFold.step(c), n / c) * c;
    float[] v = new float[width], t = BnFold.tile(sf, width);
    float[] mn = lo == null ? null : BnFold.filled(width, Float.POSITIVE_INFINITY);
    float[] mx = lo == null ? null : BnFold.filled(width, Float.NEGATIVE_INFINITY);
    for (int off = 0; off < n; off += width) {
      int len = Math.min(width, n - off);
      w.get(off, v, 0, len);
      for (int i = 0; i < len; i++) v[i] = v[i] * t[i];
      if (mn != null) {
        for (int i = 0; i < len; i++) mn[i] = Math.min(mn[i], v[i]);
        for (int i = 0; i < len; i++) mx[i] = Math.max(mx[i], v[i]);
      }
      k.put(off, v, 0, len);
    }
    if (mn == null) return;
    boolean perTensor = lo.length == 1;
    for (int j = 0, ch = 0; j < width; j++, ch = ch + 1 == c ? 0 : ch + 1) {
      int q = perTensor ? 0 : ch;
      lo[q] = Math.min(lo[q], mn[j]);
      hi[q] = Math.max(hi[q], mx[j]);
    }
  }
}
