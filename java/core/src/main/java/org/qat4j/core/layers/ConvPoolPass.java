package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;

/**
 * The fused training passes of a {@link Conv2D} (no activation of its own, a small window: {@link
 * VectorConv#applies}) followed by a per-channel affine map t = a·z + b, ReLU or ReLU6 and a 2×2
 * stride-2 unpadded {@link MaxPool2D}, on NHWC tensors with the Vector API; the conv output z is
 * never stored. Shared by {@link ConvBnPool} and layers outside core that normalize on their own
 * (the QAT conv block). With p the im2col patch of an output position (K taps), s = Σ p and G = Σ
 * p·pᵀ over the M positions of the batch, z's batch mean is W·s/M + bias and its variance W·(G/M −
 * s·sᵀ/M²)·Wᵀ (in double). The forward pass convolves, maps, activates and pools, keeping each
 * window's first maximal tap and z there. With dz = p·dy + q·(z − mean) + r per filter (the
 * caller's normalization coefficients), dW = p·Σ dy·patch + q·M·Cov·Wᵀ + r·s needs one pass over
 * the pooled gradient. Results do not depend on the thread count. Holds one batch's state from
 * {@link #statistics} to backward; one instance per layer chain, not thread-safe.
 */
public final class ConvPoolPass {
  /**
   * A monotone map of activated values (≥ 0) onto output levels (e.g. a fake-quant grid): every
   * value at or above 0 that maps to level v is ≥ v − {@link #reach}.
   */
  public interface Level {
    float of(float activated);

    float reach();

    /**
     * v[from, to) = their levels in place, each as {@link #of} gives it (an implementation may
     * vectorize).
     */
    default void map(float[] v, int from, int to) {
      for (int i = from; i < to; i++) v[i] = of(v[i]);
    }
  }

  final Conv2D conv;
  private final MaxPool2D pool;
  ConvBnVector kernels;
  ConvGeometry pooled;
  Tensor x;
  private Tensor y;
  float[] early;
  private Tensor dz;
  int batch;
  float cap;
  private float[] window;
  float[][] ab;
  float[][] tm;
  private double[] mean;
  private double[] s;
  private double[][] covW;
  private double[] sums;

  /** Passes for conv (built without an activation) followed by pool. */
  public ConvPoolPass(Conv2D conv, MaxPool2D pool) {
    this.conv = conv;
    this.pool = pool;
  }

  /**
   * Whether the passes serve the layers now: the Vector API on, the conv built without an
   * activation, a small window, and a 2×2 stride-2 unpadded pool.
   */
  public boolean fits() {
    return Lanes.vector()
        && conv.geo != null
        && conv.activation() == Activation.NONE
        && VectorConv.applies(conv.geo)
        && Pool2x2.fits(poolGeometry());
  }

  private ConvGeometry poolGeometry() {
    ConvGeometry g = conv.geo;
    if (pooled == null || pooled.h() != g.oh() || pooled.w() != g.ow() || pooled.c() != g.c()) {
      pooled = pool.geometry(new int[] {g.oh(), g.ow(), conv.filters});
      kernels = null;
    }
    return pooled;
  }

  /** Conv output positions M of the last batch. */
  public int positions() {
    return batch * conv.geo.oh() * conv.geo.ow();
  }

  /**
   * Per filter {mean, variance} of z = conv(in) over the batch, in double from the input's patch
   * moments, with the conv's current kernel and bias; keeps {@code in} (unchanged until backward).
   */
  public double[][] statistics(Tensor in) {
    conv.checkInput(in);
    x = in;
    batch = in.dim(0);
    ConvGeometry pg = poolGeometry();
    if (kernels == null) kernels = new ConvBnVector(conv, pg.oh(), pg.ow());
    double[] mom = kernels.moments(in, batch);
    int k = conv.geo.kh() * conv.geo.kw() * conv.geo.c(), f = conv.filters, m = positions();
    float[] w = conv.kernel.value().toArray();
    float[] bias = conv.useBias ? conv.bias.value().toArray() : new float[f];
    s = Arrays.copyOf(mom, k);
    double[][] cov = new double[k][k];
    for (int t = 0; t < k; t++) {
      for (int u = t; u < k; u++) {
        cov[t][u] = mom[k + t * k + u] / m - s[t] / m * (s[u] / m);
        cov[u][t] = cov[t][u];
      }
    }
    mean = new double[f];
    covW = new double[f][k];
    double[] var = new double[f];
    for (int j = 0; j < f; j++) {
      for (int t = 0; t < k; t++) {
        mean[j] += w[t * f + j] * s[t];
        for (int u = 0; u < k; u++) covW[j][t] += cov[t][u] * w[u * f + j];
        var[j] += w[t * f + j] * covW[j][t];
      }
      mean[j] = mean[j] / m + bias[j];
    }
    return new double[][] {mean.clone(), var};
  }

  private static float[] padded(float[] v, int len) {
    return Arrays.copyOf(v, len);
  }

  /**
   * The pooled output [N, PH, PW, F] = clamp(max over each 2×2 window of a·z + b, 0, cap) for the
   * input of {@link #statistics} (a, b per filter). With {@code zRange} (else null; 2F floats) also
   * each filter's min then max of z over every position, and per window the largest a·z + b before
   * the arg-max, for {@link #reselect}.
   */
  public Tensor forward(float[] a, float[] b, float cap, float[] zRange) {
    int fp = kernels.paddedFilters(), f = conv.filters;
    this.cap = cap;
    ab = new float[][] {padded(a, fp), padded(b, fp)};
    int per = batch * pooled.oh() * pooled.ow() * fp;
    if (tm == null || tm[0].length != per) tm = new float[][] {new float[per], new float[per]};
    y = Tensor.reuse(y, batch, pooled.oh(), pooled.ow(), f);
    float[] range = null;
    float[][] t = tm;
    if (zRange != null) {
      if (early == null || early.length != per) early = new float[per];
      range = new float[3 * fp];
      Arrays.fill(range, 0, fp, Float.POSITIVE_INFINITY);
      Arrays.fill(range, fp, 2 * fp, Float.NEGATIVE_INFINITY);
      t = new float[][] {tm[0], tm[1], early, range};
    }
    kernels.forward(x, batch, ab, cap, y, t);
    if (zRange != null) {
      if (!compared(range, fp)) exactRange(range, fp);
      System.arraycopy(range, 0, zRange, 0, f);
      System.arraycopy(range, fp, zRange, f, f);
    }
    return y;
  }

  /**
   * Whether the forward's compare-and-blend range equals Math.min/max's: no z was NaN (then its
   * window's maximum was NaN; ±∞ also send the range here) and none was −0 (z starts from the bias
   * and stays +0 through fused multiply-adds unless a bias is −0).
   */
  private boolean compared(float[] range, int fp) {
    float[] bias = conv.useBias ? conv.bias.value().toArray() : new float[0];
    for (float b : bias) if (Float.floatToRawIntBits(b) == Integer.MIN_VALUE) return false;
    for (int j = 0; j < fp; j++) if (range[2 * fp + j] != 0f) return false;
    return true;
  }

  /**
   * The z range with Math.min/max over the positions the forward pooled, from the conv's output
   * (the same arithmetic); only with NaN, ±∞ or a −0 bias, so it need not be fast.
   */
  private void exactRange(float[] range, int fp) {
    ConvGeometry g = conv.geo;
    int f = conv.filters;
    Tensor z = Tensor.zeros(batch, g.oh(), g.ow(), f);
    kernels.vc.forward(x, batch, z, null);
    Arrays.fill(range, 0, fp, Float.POSITIVE_INFINITY);
    Arrays.fill(range, fp, 2 * fp, Float.NEGATIVE_INFINITY);
    for (int b = 0; b < batch; b++)
      for (int oy = 0; oy < 2 * pooled.oh(); oy++)
        for (int ox = 0; ox < 2 * pooled.ow(); ox++)
          for (int j = 0, o = ((b * g.oh() + oy) * g.ow() + ox) * f; j < f; j++) {
            range[j] = Math.min(range[j], z.get(o + j));
            range[fp + j] = Math.max(range[fp + j], z.get(o + j));
          }
  }

  /**
   * Moves arg-maxes onto levels, after a forward pass with a z range: writes {@code out} (the
   * pooled output's shape) = the level of each pooled value; where an earlier tap of the window
   * maps to the same level (its largest value, kept by the forward pass, tells), the window's
   * arg-max becomes the first such tap, its z recomputed with the forward's exact arithmetic.
   * Backward then routes gradients as a max pool over the levels would (first maximal tap). Windows
   * whose maximum is ≤ 0 stay: every tap's activation gate is closed there.
   */
  public void reselect(Tensor out, Level level) {
    new TapSelect(this, level).run(y, out);
  }

  /**
   * Per filter {Σ g, Σ g·(z − mu)·invStd} (double) over the pooled gradient gy routed to each
   * window's arg-max, g = 0 where the activation's gate is closed (t = a·z + b outside (0, cap)) or
   * t lies outside [lo, hi]; keeps Σ g·patch for {@link #gradients}.
   */
  public double[][] sums(Tensor gy, float[] mu, float[] invStd, float lo, float hi) {
    int fp = kernels.paddedFilters(), f = conv.filters;
    window = new float[] {lo, hi};
    float[][] abmi = {ab[0], ab[1], padded(mu, fp), padded(invStd, fp)};
    sums = kernels.back.backwardSums(x, batch, gy, tm, abmi, cap, window);
    double[][] r = new double[2][f];
    for (int j = 0; j < f; j++) {
      r[0][j] = sums[j];
      r[1][j] = sums[fp + j];
    }
    return r;
  }

  /**
   * Writes the conv's kernel gradient dW = p·Σ dy·patch + q·Σ (z − meanF)·patch + r·s and bias
   * gradient p·Σ dy + q·Σ (z − meanF) + r·M, pqr = {p, q, r} per filter, meanF the mean the caller
   * normalized with (Σ (z − meanF)·patch = M·Cov·Wᵀ + (exact mean − meanF)·s).
   */
  public void gradients(double[][] pqr, float[] meanF) {
    int k = s.length, f = conv.filters, m = positions(), fp = kernels.paddedFilters();
    float[] dw = new float[k * f], db = new float[f];
    for (int j = 0; j < f; j++) {
      double p = pqr[0][j], q = pqr[1][j], r = pqr[2][j], shift = mean[j] - meanF[j];
      for (int t = 0; t < k; t++) {
        double dyp = kernels.back.tapSum(sums, j, t);
        dw[t * f + j] = (float) (p * dyp + q * (m * covW[j][t] + shift * s[t]) + r * s[t]);
      }
      db[j] = (float) (p * sums[j] + q * m * shift + r * m);
    }
    conv.kernel.grad().buffer().put(0, dw);
    if (conv.useBias) conv.bias.grad().buffer().put(0, db);
  }

  /**
   * The rare case of a wanted input gradient (after {@link #sums}): recomputes z, forms dz from the
   * routed gradient (zero off the arg-max taps and where {@link #sums} gates it) as p·dy + q·(z −
   * meanF) + r, and runs the conv's own backward, which also writes the conv's parameter gradients
   * (call {@link #gradients} after this).
   */
  public Tensor inputGradient(Tensor gy, ExecContext ctx, double[][] pqr, float[] meanF) {
    Tensor xc = conv.forward(new Tensor[] {x}, ctx);
    ConvGeometry g = conv.geo;
    int f = conv.filters, fp = kernels.paddedFilters(), ow = g.ow(), pw = pooled.ow();
    int ph = pooled.oh();
    dz = Tensor.reuse(dz, xc.shape());
    float[] d = new float[xc.size()];
    FloatBuffer gb = gy.buffer();
    for (int i = 0; i < batch * ph * pw; i++) {
      int b = i / (ph * pw), py = i / pw % ph, px = i % pw;
      for (int j = 0; j < f; j++) {
        int o = i * fp + j, w = (int) tm[0][o];
        float t = Math.fma(tm[1][o], ab[0][j], ab[1][j]);
        int at = ((b * g.oh() + 2 * py + (w >> 1)) * ow + 2 * px + (w & 1)) * f + j;
        boolean pass = t > 0f && t < cap && t >= window[0] && t <= window[1];
        d[at] = pass ? gb.get(i * f + j) : 0f;
      }
    }
    float[] xv = xc.toArray();
    for (int e = 0; e < d.length; e++) {
      int j = e % f;
      d[e] = (float) (pqr[0][j] * d[e] + pqr[1][j] * (xv[e] - meanF[j]) + pqr[2][j]);
    }
    dz.buffer().put(0, d);
    return conv.backward(dz, ctx, new boolean[] {true})[0];
  }
}
