package org.qat4j.core.layers;

/**
 * The resize arithmetic shared by UpSampling2D and Resizing on NHWC images: per output row and
 * column the two source indices and the weight of the second (nearest: one index, weight 0), and
 * the forward and backward loops over them.
 */
final class Resize {
  private Resize() {}

  /** Per output index along one axis: the two source indices and the weight of the second. */
  record Axis(int[] lo, int[] hi, float[] w) {
    /** Whole factor {@code f}: nearest ⌊o / f⌋, bilinear from (o + ½)/f − ½. */
    static Axis factor(int in, int f, boolean bilinear) {
      int n = in * f;
      int[] lo = new int[n], hi = new int[n];
      float[] w = new float[n];
      for (int o = 0; o < n; o++) {
        if (!bilinear) {
          lo[o] = hi[o] = o / f;
          continue;
        }
        set(lo, hi, w, o, (o + 0.5f) / f - 0.5f, in);
      }
      return new Axis(lo, hi, w);
    }

    /**
     * Any size, with TensorFlow's half-pixel centres and float32 scale in/out: nearest min(⌊(o +
     * ½)·scale⌋, in − 1), bilinear from (o + ½)·scale − ½.
     */
    static Axis sized(int in, int out, boolean bilinear) {
      float scale = (float) in / out;
      int[] lo = new int[out], hi = new int[out];
      float[] w = new float[out];
      for (int o = 0; o < out; o++) {
        if (!bilinear) {
          lo[o] = hi[o] = Math.min((int) Math.floor((o + 0.5f) * scale), in - 1);
          continue;
        }
        set(lo, hi, w, o, (o + 0.5f) * scale - 0.5f, in);
      }
      return new Axis(lo, hi, w);
    }

    private static void set(int[] lo, int[] hi, float[] w, int o, float s, int in) {
      float fl = (float) Math.floor(s);
      lo[o] = Math.max((int) fl, 0);
      hi[o] = Math.min((int) Math.ceil(s), in - 1);
      w[o] = s - fl;
    }
  }

  /** Resizes {@code xv} of shape {@code s} [N, H, W, C] along {@code ys} and {@code xs}. */
  static float[] forward(float[] xv, int[] s, Axis ys, Axis xs) {
    int n = s[0], h = s[1], w = s[2], c = s[3], oh = ys.lo.length, ow = xs.lo.length;
    float[] out = new float[n * oh * ow * c];
    for (int b = 0; b < n; b++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < c; ch++) {
            int r0 = (b * h + ys.lo[oy]) * w, r1 = (b * h + ys.hi[oy]) * w;
            float tl = xv[(r0 + xs.lo[ox]) * c + ch], tr = xv[(r0 + xs.hi[ox]) * c + ch];
            float bl = xv[(r1 + xs.lo[ox]) * c + ch], br = xv[(r1 + xs.hi[ox]) * c + ch];
            float top = tl + (tr - tl) * xs.w[ox], bottom = bl + (br - bl) * xs.w[ox];
            out[((b * oh + oy) * ow + ox) * c + ch] = top + (bottom - top) * ys.w[oy];
          }
    return out;
  }

  /** The gradient for input shape {@code s} from the output gradient {@code gv}. */
  static float[] backward(float[] gv, int[] s, Axis ys, Axis xs) {
    int n = s[0], h = s[1], w = s[2], c = s[3], oh = ys.lo.length, ow = xs.lo.length;
    float[] d = new float[n * h * w * c];
    for (int b = 0; b < n; b++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          for (int ch = 0; ch < c; ch++) {
            float v = gv[((b * oh + oy) * ow + ox) * c + ch], wy = ys.w[oy], wx = xs.w[ox];
            int r0 = (b * h + ys.lo[oy]) * w, r1 = (b * h + ys.hi[oy]) * w;
            d[(r0 + xs.lo[ox]) * c + ch] += v * (1 - wy) * (1 - wx);
            d[(r0 + xs.hi[ox]) * c + ch] += v * (1 - wy) * wx;
            d[(r1 + xs.lo[ox]) * c + ch] += v * wy * (1 - wx);
            d[(r1 + xs.hi[ox]) * c + ch] += v * wy * wx;
          }
    return d;
  }
}
