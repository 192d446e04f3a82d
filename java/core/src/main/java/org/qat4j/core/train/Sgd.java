package org.qat4j.core.train;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import org.qat4j.ir.internal.VectorApi;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay (added
 * to the gradient), in the PyTorch form: {@code v = μ·v + g; w -= lr·(nesterov ? g + μ·v : v)}.
 */
public final class Sgd extends Optimizer {
  private final double momentum;
  private final boolean nesterov;
  private final double weightDecay;

  public Sgd(double lr) {
    this(LrSchedule.constant(lr), 0, false, 0);
  }

  public Sgd(LrSchedule schedule, double momentum, boolean nesterov, double weightDecay) {
    super(schedule);
    checkUnit("SGD momentum", momentum);
    checkNonNegative("SGD weight decay", weightDecay);
    if (nesterov && momentum == 0)
      throw new IllegalArgumentException("Nesterov SGD needs momentum > 0");
    this.momentum = momentum;
    this.nesterov = nesterov;
    this.weightDecay = weightDecay;
  }

  @Override
  public String type() {
    return "SGD";
  }

  @Override
  protected void prepare(String key, int n) {
    if ((float) momentum != 0f) slot(key, "momentum", n);
  }

  @Override
  protected void update(
      String key, float[] w, float[] g, int lo, int hi, int n, double lr, long t) {
    float wd = (float) weightDecay, mu = (float) momentum, rate = (float) lr;
    if (wd != 0f) for (int i = lo; i < hi; i++) g[i] += wd * w[i];
    if (mu == 0f) {
      for (int i = lo; i < hi; i++) w[i] -= rate * g[i];
      return;
    }
    float[] v = slot(key, "momentum", n);
    for (int i = lo; i < hi; i++) {
      v[i] = mu * v[i] + g[i];
      w[i] -= rate * (nesterov ? g[i] + mu * v[i] : v[i]);
    }
  }

  /** On the Vector API: updates the value in place from the gradient's storage (no heap copies). */
  @Override
  protected boolean updateInPlace(
      String key, ByteBuffer w, ByteBuffer g, int n, int lo, int hi, double lr, long t) {
    if (!VectorApi.on()) return false;
    float mu = (float) momentum;
    OptimizerVector.sgd(
        w,
        g,
        mu == 0f ? null : slot(key, "momentum", n),
        lo,
        hi,
        new float[] {(float) lr, (float) weightDecay, mu, nesterov ? 1f : 0f});
    return true;
  }

  @Override
  public JsonObject config() {
    JsonObject o = baseConfig();
    o.addProperty("momentum", momentum);
    o.addProperty("nesterov", nesterov);
    o.addProperty("weight_decay", weightDecay);
    return o;
  }
}
