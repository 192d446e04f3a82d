package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.List;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;

/**
 * Execution-time fusion of {@link Conv2D} → {@link BatchNormalization} → {@link ReLU} or {@link
 * ReLU6} → 2×2 stride-2 {@link MaxPool2D} for training passes on NHWC tensors, when the conv's
 * window is small ({@link VectorConv#applies}, Vector API on) and its input needs no gradient (a
 * first layer). The conv output is never stored. With p the im2col patch of an output position (K
 * taps), x = W·p + bias, and s = Σ p, G = Σ p·pᵀ over the M positions of the batch: BN's batch mean
 * is W·s/M + bias and its variance W·(G/M − s·sᵀ/M²)·Wᵀ, so its statistics cost one pass over the
 * input; one fused pass then convolves, normalises, activates and pools. Backward: with dx = p·dy +
 * q·(x − mean) + r per filter (BN's coefficients), dW = p·Σ dy·p + q·Σ (x − mean)·p + r·s, where Σ
 * (x − mean)·p = M·Cov·Wᵀ needs no pass over x, and Σ dy·p is one pass over the pooled gradient (it
 * reaches only arg-max taps). Results match the separate layers up to float rounding (statistics
 * from moments, fused multiply-add, summation order); they do not depend on the thread count. When
 * an input gradient is asked for anyway, backward recomputes the conv output and runs the conv's
 * own backward.
 */
public final class ConvBnPool {
  private final Conv2D conv;
  private final BatchNormalization bn;
  private final float cap;
  private final MaxPool2D pool;
  private ConvBnVector kernels;
  private ConvGeometry pooled;
  private boolean active;
  private Tensor x;
  private Tensor y;
  private Tensor dBn;
  private int batch;
  private float[] tap;
  private float[] xm;
  private double[] mean;
  private double[][] covW;
  private double[] s;

  private ConvBnPool(Conv2D conv, BatchNormalization bn, float cap, MaxPool2D pool) {
    this.conv = conv;
    this.bn = bn;
    this.cap = cap;
    this.pool = pool;
  }

  /**
   * The fusion of the four layers, or null when they are not Conv2D (no activation of its own) → BN
   * → ReLU/ReLU6 → MaxPool2D. The caller checks that each layer feeds only the next one; the
   * geometry is checked per pass ({@link #use}).
   */
  public static ConvBnPool match(Layer first, Layer second, Layer third, Layer fourth) {
    if (!(first instanceof Conv2D c) || c.activation() != Activation.NONE) return null;
    if (!(second instanceof BatchNormalization b) || !(fourth instanceof MaxPool2D p)) return null;
    float cap =
        third instanceof ReLU ? Float.POSITIVE_INFINITY : third instanceof ReLU6 ? 6f : Float.NaN;
    return Float.isNaN(cap) ? null : new ConvBnPool(c, b, cap, p);
  }

  /** Number of layers fused: 4. */
  public int span() {
    return 4;
  }

  /**
   * Decides whether the coming pass runs fused: {@code wanted} (a training pass whose conv input
   * needs no gradient), the Vector API on, BN using batch statistics, a small conv window and a 2×2
   * stride-2 unpadded pool. {@link #active()} reports the decision to the backward pass.
   */
  public boolean use(boolean wanted, ExecContext ctx) {
    active =
        wanted
            && ctx.training()
            && Lanes.vector()
            && !bn.frozen()
            && conv.geo != null
            && conv.activation() == Activation.NONE
            && VectorConv.applies(conv.geo)
            && Pool2x2.fits(poolGeometry());
    return active;
  }

  /** Whether the last forward pass ran fused (then backward must go through {@link #backward}). */
  public boolean active() {
    return active;
  }

  private ConvGeometry poolGeometry() {
    ConvGeometry g = conv.geo;
    if (pooled == null || pooled.h() != g.oh() || pooled.w() != g.ow() || pooled.c() != g.c()) {
      pooled = pool.geometry(new int[] {g.oh(), g.ow(), conv.filters});
      kernels = null;
    }
    return pooled;
  }

  /** The pooled output for conv input {@code in} (kept until backward; must stay unchanged). */
  public Tensor forward(Tensor in, ExecContext ctx) {
    conv.checkInput(in);
    x = in;
    batch = in.dim(0);
    ConvGeometry g = conv.geo, pg = poolGeometry();
    if (kernels == null) kernels = new ConvBnVector(conv, pg.oh(), pg.ow());
    int fp = kernels.paddedFilters(), m = batch * g.oh() * g.ow();
    statistics(kernels.moments(in, batch), m);
    float[][] ab = bn.affine();
    int per = batch * pg.oh() * pg.ow() * fp;
    if (tap == null || tap.length != per) {
      tap = new float[per];
      xm = new float[per];
    }
    y = Tensor.reuse(y, batch, pg.oh(), pg.ow(), conv.filters);
    kernels.forward(in, batch, padded(ab[0], fp), padded(ab[1], fp), cap, y, tap, xm);
    return y;
  }

  /**
   * Sets BN's batch statistics from the moments [s, G] over m positions; keeps Cov·Wᵀ per filter.
   */
  private void statistics(double[] mom, int m) {
    int k = conv.geo.kh() * conv.geo.kw() * conv.geo.c(), f = conv.filters;
    float[] w = conv.kernel.value().toArray();
    float[] bias = conv.useBias ? conv.bias.value().toArray() : new float[f];
    s = new double[k];
    double[][] cov = new double[k][k];
    for (int t = 0; t < k; t++) s[t] = mom[t];
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
    bn.batchMoments(mean, var);
  }

  private static float[] padded(float[] v, int len) {
    float[] p = new float[len];
    System.arraycopy(v, 0, p, 0, v.length);
    return p;
  }

  /**
   * From dLoss/d(pooled output) (null: the loss ignores it): writes the conv's kernel and bias
   * gradients and BN's γ and β gradients; returns dLoss/d(conv input) when {@code needInput}, else
   * null.
   */
  public Tensor backward(Tensor gy, ExecContext ctx, boolean needInput) {
    if (gy == null) {
      for (Param p : conv.params()) p.grad().fill(0f);
      for (Param p : List.of(bn.gamma(), bn.beta())) p.grad().fill(0f);
      return null;
    }
    ConvGeometry g = conv.geo;
    int fp = kernels.paddedFilters(), f = conv.filters, m = batch * g.oh() * g.ow();
    float[][] abmi = {null, null, padded(bn.mean(), fp), padded(bn.invStd(), fp)};
    float[][] ab = bn.affine();
    abmi[0] = padded(ab[0], fp);
    abmi[1] = padded(ab[1], fp);
    double[] sums = kernels.backwardSums(x, batch, gy, tap, xm, abmi, cap);
    double[] sg = new double[f], sgx = new double[f];
    for (int j = 0; j < f; j++) {
      sg[j] = sums[j];
      sgx[j] = sums[fp + j];
    }
    double[][] pqr = coefficients(sg, sgx, m);
    // The conv's own backward (for dx) writes dW too: the moments' dW goes last, so parameter
    // gradients do not depend on whether dx was asked for.
    Tensor dx = needInput ? inputGradient(gy, ctx, pqr) : null;
    writeGradients(sums, sg, pqr, m);
    return dx;
  }

  /** dW = p·Σ dy·p + q·Σ (x − mean)·p + r·s and dbias = Σ dx = p·Σ dy + q·Σ (x − mean) + r·M. */
  private void writeGradients(double[] sums, double[] sg, double[][] pqr, int m) {
    int k = s.length, f = conv.filters;
    float[] dw = new float[k * f], db = new float[f], meanF = bn.mean();
    for (int j = 0; j < f; j++) {
      // Σ (x − mean)·p with BN's float mean: M·Cov·Wᵀ + (exact mean − float mean)·s.
      double p = pqr[0][j], q = pqr[1][j], r = pqr[2][j], shift = mean[j] - meanF[j];
      for (int t = 0; t < k; t++) {
        double dyp = kernels.tapSum(sums, j, t);
        dw[t * f + j] = (float) (p * dyp + q * (m * covW[j][t] + shift * s[t]) + r * s[t]);
      }
      db[j] = (float) (p * sg[j] + q * m * shift + r * m);
    }
    conv.kernel.grad().buffer().put(0, dw);
    if (conv.useBias) conv.bias.grad().buffer().put(0, db);
  }

  /**
   * The rare case of a wanted input gradient: recomputes the conv output, forms BN's dx from the
   * routed gradient (dy is zero off the arg-max taps), and runs the conv's own backward.
   */
  private Tensor inputGradient(Tensor gy, ExecContext ctx, double[][] pqr) {
    Tensor xc = conv.forward(new Tensor[] {x}, ctx);
    ConvGeometry g = conv.geo;
    int f = conv.filters, fp = kernels.paddedFilters(), ow = g.ow(), pw = pooled.ow();
    int ph = pooled.oh(), n = batch;
    dBn = Tensor.reuse(dBn, xc.shape());
    float[] d = new float[xc.size()];
    float[][] ab = bn.affine();
    FloatBuffer gb = gy.buffer();
    for (int i = 0; i < n * ph * pw; i++) {
      int b = i / (ph * pw), py = i / pw % ph, px = i % pw;
      for (int j = 0; j < f; j++) {
        int o = i * fp + j, w = (int) tap[o];
        float t = Math.fma(xm[o], ab[0][j], ab[1][j]);
        int at = ((b * g.oh() + 2 * py + (w >> 1)) * ow + 2 * px + (w & 1)) * f + j;
        d[at] = t > 0f && t < cap ? gb.get(i * f + j) : 0f;
      }
    }
    float[] xv = xc.toArray(), mf = bn.mean();
    for (int e = 0; e < d.length; e++) {
      int j = e % f;
      d[e] = (float) (pqr[0][j] * d[e] + pqr[1][j] * (xv[e] - mf[j]) + pqr[2][j]);
    }
    dBn.buffer().put(0, d);
    return conv.backward(dBn, ctx, new boolean[] {true})[0];
  }

  /**
   * BN's backward with batch statistics (as {@link BatchNormalization#backwardCoefficients}, which
   * writes the γ and β gradients too) in double and centred: per channel [p, q, r] of dx = p·dy +
   * q·(x − mean) + r, so that r carries no q·mean cancellation into sums over many positions.
   */
  private double[][] coefficients(double[] dBeta, double[] dGamma, int rows) {
    int c = conv.filters;
    FloatBuffer gb = bn.gamma().grad().buffer(), bb = bn.beta().grad().buffer();
    float[] is = bn.invStd();
    double[][] pqr = new double[3][c];
    for (int j = 0; j < c; j++) {
      gb.put(j, (float) dGamma[j]);
      bb.put(j, (float) dBeta[j]);
      double scale = (double) bn.gamma().value().get(j) * is[j];
      pqr[0][j] = scale;
      pqr[1][j] = -scale * dGamma[j] / rows * is[j];
      pqr[2][j] = -scale * dBeta[j] / rows;
    }
    return pqr;
  }
}
