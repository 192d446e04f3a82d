package org.qat4j.core.train;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import org.qat4j.ir.internal.VectorApi;

/**
 * Adam with bias correction: {@code w -= lr·m̂/(sqrt(v̂)+ε)}. A non-zero weight decay is classic L2
 * (added to the gradient, so it is scaled by the adaptive step); use {@link AdamW} for decoupled
 * decay.
 */
public class Adam extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;

  /** Keras's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7, no weight decay) at a constant rate. */
  public Adam(double lr) {
    this(LrSchedule.constant(lr));
  }

  /** Keras's defaults (β₁ 0.9, β₂ 0.999, ε 1e-7, no weight decay) under {@code schedule}. */
  public Adam(LrSchedule schedule) {
    this(schedule, 0.9, 0.999, 1e-7, 0);
  }

  public Adam(LrSchedule schedule, double beta1, double beta2, double epsilon, double weightDecay) {
    super(schedule);
    checkUnit("Adam beta1", beta1);
    checkUnit("Adam beta2", beta2);
    if (!(epsilon > 0))
      throw new IllegalArgumentException("Adam epsilon must be > 0, got " + epsilon);
    checkNonNegative("Adam weight decay", weightDecay);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  @Override
  public String type() {
    return "Adam";
  }

  /** True when weight decay is applied directly to the weights (AdamW). */
  protected boolean decoupled() {
    return false;
  }

  @Override
  protected final void prepare(String key, int n) {
    slot(key, "m", n);
    slot(key, "v", n);
  }

  @Override
  protected final void update(
      String key, float[] w, float[] g, int lo, int hi, int n, double lr, long t) {
    float[] m = slot(key, "m", n);
    float[] v = slot(key, "v", n);
    float[] k = coefficients(lr, t);
    float b1 = k[0], a1 = k[1], b2 = k[2], a2 = k[3], c1 = k[4], c2 = k[5];
    float rate = k[6], eps = k[7], l2 = k[8], shrink = k[9];
    boolean late = c1 == 1f; // m / 1 is m exactly: skip the division, as the vector path
    if (l2 != 0f) for (int i = lo; i < hi; i++) g[i] += l2 * w[i];
    for (int i = lo; i < hi; i++) {
      float gi = g[i];
      m[i] = b1 * m[i] + a1 * gi;
      v[i] = b2 * v[i] + a2 * gi * gi;
      float mh = late ? m[i] : m[i] / c1, vh = v[i] / c2;
      w[i] = w[i] * shrink - rate * mh / ((float) Math.sqrt(vh) + eps);
    }
  }

  /** On the Vector API: updates the value in place from the gradient's storage (no heap copies). */
  @Override
  protected final boolean updateInPlace(
      String key, ByteBuffer w, ByteBuffer g, int n, int lo, int hi, double lr, long t) {
    if (!VectorApi.on()) return false;
    OptimizerVector.adam(w, g, slot(key, "m", n), slot(key, "v", n), lo, hi, coefficients(lr, t));
    return true;
  }

  /**
   * The update's float coefficients at rate lr and update number t: β₁, 1 − β₁, β₂, 1 − β₂, the
   * bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ, the rate, ε, the L2 decay added to the gradient (0 for
   * AdamW) and the factor on the weights (1 − lr·decay for AdamW, else 1).
   */
  final float[] coefficients(double lr, long t) {
    float b1 = (float) beta1, b2 = (float) beta2;
    float rate = (float) lr, wd = (float) weightDecay;
    boolean dec = decoupled();
    return new float[] {
      b1,
      1 - b1,
      b2,
      1 - b2,
      (float) (1 - Math.pow(beta1, t)),
      (float) (1 - Math.pow(beta2, t)),
      rate,
      (float) epsilon,
      dec ? 0f : wd,
      dec ? 1f - rate * wd : 1f
    };
  }

  @Override
  public JsonObject config() {
    JsonObject o = baseConfig();
    o.addProperty("beta1", beta1);
    o.addProperty("beta2", beta2);
    o.addProperty("epsilon", epsilon);
    o.addProperty("weight_decay", weightDecay);
    return o;
  }
}
