package org.qat4j.core.train;

import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qat4j.core.Param;

/**
 * Updates trainable parameters from their gradients. Per-parameter state ("slots", e.g. Adam
 * moments) is keyed "layer/param#slot" and held on the heap, so it can be checkpointed and restored
 * exactly; the learning rate comes from an {@link LrSchedule} at the update count.
 */
public abstract class Optimizer {
  private final LrSchedule schedule;
  private final Map<String, float[]> slots = new LinkedHashMap<>();
  private long iterations;
  private float[] valueScratch = new float[0];
  private float[] gradScratch = new float[0];

  protected Optimizer(LrSchedule schedule) {
    if (schedule == null)
      throw new IllegalArgumentException("optimizer needs a learning-rate schedule");
    this.schedule = schedule;
  }

  /** Registry type, e.g. "Adam". */
  public abstract String type();

  /** Hyper-parameters (schedule included) as JSON, read back by {@link #fromConfig}. */
  public abstract JsonObject config();

  /**
   * Updates one parameter in place: {@code w} holds its values and {@code g} its gradient (both
   * length n, g may be modified); {@code t} is the 1-based update number.
   */
  protected abstract void update(String key, float[] w, float[] g, int n, double lr, long t);

  public final LrSchedule schedule() {
    return schedule;
  }

  /** Number of completed {@link #step} calls. */
  public final long iterations() {
    return iterations;
  }

  /** Learning rate the next {@link #step} will use. */
  public final double currentLr() {
    return schedule.at(iterations);
  }

  /** Applies one update to every trainable parameter of {@code params} (keyed "layer/param"). */
  public final void step(Map<String, Param> params) {
    double lr = schedule.at(iterations);
    long t = iterations + 1;
    for (Map.Entry<String, Param> e : params.entrySet()) {
      Param p = e.getValue();
      if (!p.trainable()) continue;
      int n = p.value().size();
      if (valueScratch.length < n) {
        valueScratch = new float[n];
        gradScratch = new float[n];
      }
      p.value().buffer().get(0, valueScratch, 0, n);
      p.grad().buffer().get(0, gradScratch, 0, n);
      update(e.getKey(), valueScratch, gradScratch, n, lr, t);
      p.value().buffer().put(0, valueScratch, 0, n);
    }
    iterations++;
  }

  /** The slot array {@code key#name} of length n, created zero-filled on first use. */
  protected final float[] slot(String key, String name, int n) {
    float[] s = slots.computeIfAbsent(key + "#" + name, k -> new float[n]);
    if (s.length != n)
      throw new IllegalStateException(
          "optimizer slot " + key + "#" + name + " has " + s.length + " values, param has " + n);
    return s;
  }

  /** Live view of the optimizer state, for checkpoints. */
  public final Map<String, float[]> slots() {
    return Collections.unmodifiableMap(slots);
  }

  /** Replaces the state with copies of {@code state} and the update count (checkpoint restore). */
  public final void restore(Map<String, float[]> state, long iterations) {
    if (iterations < 0)
      throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
    slots.clear();
    state.forEach((k, v) -> slots.put(k, v.clone()));
    this.iterations = iterations;
  }

  /** Rebuilds an optimizer (without state) from {@link #config()}. */
  public static Optimizer fromConfig(JsonObject c) {
    String type = c.has("type") ? c.get("type").getAsString() : "";
    LrSchedule s = LrSchedule.fromJson(c.getAsJsonObject("schedule"));
    return switch (type) {
      case "SGD" ->
          new Sgd(
              s,
              c.get("momentum").getAsDouble(),
              c.get("nesterov").getAsBoolean(),
              c.get("weight_decay").getAsDouble());
      case "Adam" ->
          new Adam(
              s,
              c.get("beta1").getAsDouble(),
              c.get("beta2").getAsDouble(),
              c.get("epsilon").getAsDouble(),
              c.get("weight_decay").getAsDouble());
      case "AdamW" ->
          new AdamW(
              s,
              c.get("beta1").getAsDouble(),
              c.get("beta2").getAsDouble(),
              c.get("epsilon").getAsDouble(),
              c.get("weight_decay").getAsDouble());
      default -> throw new IllegalArgumentException("unknown optimizer type '" + type + "'");
    };
  }

  protected final JsonObject baseConfig() {
    JsonObject o = new JsonObject();
    o.addProperty("type", type());
    o.add("schedule", schedule.toJson());
    return o;
  }

  static void checkNonNegative(String what, double v) {
    if (!(v >= 0) || Double.isInfinite(v))
      throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
  }

  static void checkUnit(String what, double v) {
    if (!(v >= 0 && v < 1))
      throw new IllegalArgumentException(what + " must be in [0, 1), got " + v);
  }
}
