package org.qat4j.core.layers;

import java.nio.FloatBuffer;
import java.util.List;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.TrainingFusion;

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
 * own backward. The passes themselves are {@link ConvPoolPass}.
 */
public final class ConvBnPool implements TrainingFusion {
  private final BatchNormalization bn;
  private final float cap;
  private final Conv2D conv;
  private final ConvPoolPass pass;
  private boolean active;

  private ConvBnPool(Conv2D conv, BatchNormalization bn, float cap, MaxPool2D pool) {
    this.conv = conv;
    this.bn = bn;
    this.cap = cap;
    this.pass = new ConvPoolPass(conv, pool);
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
  @Override
  public int span() {
    return 4;
  }

  /**
   * Decides whether the coming pass runs fused: {@code fused}, a conv input that needs no gradient
   * (the pass computes none), the Vector API on, BN using batch statistics, a small conv window and
   * a 2×2 stride-2 unpadded pool. {@link #active()} reports the decision to the backward pass.
   */
  @Override
  public boolean use(boolean fused, boolean inputGradient, ExecContext ctx) {
    active = fused && !inputGradient && ctx.training() && !bn.frozen() && pass.fits();
    return active;
  }

  /** Whether the last forward pass ran fused (then backward must go through {@link #backward}). */
  @Override
  public boolean active() {
    return active;
  }

  /** The pooled output for conv input {@code in} (kept until backward; must stay unchanged). */
  @Override
  public Tensor forward(Tensor in, ExecContext ctx) {
    double[][] mv = pass.statistics(in);
    bn.batchMoments(mv[0], mv[1]);
    float[][] ab = bn.affine();
    return pass.forward(ab[0], ab[1], cap, null);
  }

  /**
   * From dLoss/d(pooled output) (null: the loss ignores it): writes the conv's kernel and bias
   * gradients and BN's γ and β gradients; returns dLoss/d(conv input) when {@code needInput}, else
   * null.
   */
  @Override
  public Tensor backward(Tensor gy, ExecContext ctx, boolean needInput) {
    if (gy == null) {
      for (Param p : conv.params()) p.grad().fill(0f);
      for (Param p : List.of(bn.gamma(), bn.beta())) p.grad().fill(0f);
      return null;
    }
    float inf = Float.POSITIVE_INFINITY;
    double[][] sums = pass.sums(gy, bn.mean(), bn.invStd(), -inf, inf);
    double[][] pqr = coefficients(sums[0], sums[1], pass.positions());
    // The conv's own backward (for dx) writes dW too: the moments' dW goes last, so parameter
    // gradients do not depend on whether dx was asked for.
    Tensor dx = needInput ? pass.inputGradient(gy, ctx, pqr, bn.mean()) : null;
    pass.gradients(pqr, bn.mean());
    return dx;
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
