package org.qat4j.core.train;

import com.google.gson.JsonObject;

/**
 * A learning rate as a function of the optimizer step (0-based), stored as plain data so it is
 * saved in checkpoints: {@link Constant}, {@link Step} and {@link Cosine} (with linear warm-up).
 */
public sealed interface LrSchedule {
  /** Learning rate used for update number {@code step} (0 for the first update). */
  double at(long step);

  /** JSON form, read back by {@link #fromJson}. */
  JsonObject toJson();

  static LrSchedule constant(double lr) {
    return new Constant(lr);
  }

  /** Multiplies {@code lr} by {@code gamma} every {@code stepSize} updates. */
  static LrSchedule step(double lr, long stepSize, double gamma) {
    return new Step(lr, stepSize, gamma);
  }

  /**
   * Linear warm-up over {@code warmupSteps}, then cosine decay to {@code minLr} at {@code
   * totalSteps}.
   */
  static LrSchedule cosine(double lr, long warmupSteps, long totalSteps, double minLr) {
    return new Cosine(lr, warmupSteps, totalSteps, minLr);
  }

  /** Rebuilds a schedule written by {@link #toJson}. */
  static LrSchedule fromJson(JsonObject o) {
    String type = o.has("type") ? o.get("type").getAsString() : "";
    return switch (type) {
      case "constant" -> new Constant(o.get("lr").getAsDouble());
      case "step" ->
          new Step(
              o.get("lr").getAsDouble(),
              o.get("step_size").getAsLong(),
              o.get("gamma").getAsDouble());
      case "cosine" ->
          new Cosine(
              o.get("lr").getAsDouble(),
              o.get("warmup_steps").getAsLong(),
              o.get("total_steps").getAsLong(),
              o.get("min_lr").getAsDouble());
      default ->
          throw new IllegalArgumentException(
              "unknown learning-rate schedule type '" + type + "' in " + o);
    };
  }

  private static void checkLr(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr))
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
  }

  /** The same rate for every step. */
  record Constant(double lr) implements LrSchedule {
    public Constant {
      checkLr(lr);
    }

    @Override
    public double at(long step) {
      return lr;
    }

    @Override
    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("type", "constant");
      o.addProperty("lr", lr);
      return o;
    }
  }

  /** {@code lr · gamma^floor(step / stepSize)}. */
  record Step(double lr, long stepSize, double gamma) implements LrSchedule {
    public Step {
      checkLr(lr);
      if (stepSize <= 0)
        throw new IllegalArgumentException("step schedule: step size must be > 0, got " + stepSize);
      if (!(gamma > 0))
        throw new IllegalArgumentException("step schedule: gamma must be > 0, got " + gamma);
    }

    @Override
    public double at(long step) {
      return lr * Math.pow(gamma, Math.floorDiv(Math.max(step, 0), stepSize));
    }

    @Override
    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("type", "step");
      o.addProperty("lr", lr);
      o.addProperty("step_size", stepSize);
      o.addProperty("gamma", gamma);
      return o;
    }
  }

  /**
   * Warm-up {@code lr·(step+1)/warmupSteps} for step &lt; warmupSteps, then {@code minLr +
   * (lr-minLr)·(1+cos(π·p))/2} with p the fraction of the remaining steps done (clamped to 1, so
   * the rate stays at minLr after totalSteps).
   */
  record Cosine(double lr, long warmupSteps, long totalSteps, double minLr) implements LrSchedule {
    public Cosine {
      checkLr(lr);
      checkLr(minLr);
      if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
        throw new IllegalArgumentException(
            "cosine schedule needs 0 <= warmupSteps <= totalSteps and totalSteps > 0, got "
                + warmupSteps
                + ", "
                + totalSteps);
      }
    }

    @Override
    public double at(long step) {
      if (step < warmupSteps) return lr * (step + 1) / warmupSteps;
      long span = totalSteps - warmupSteps;
      double p = span == 0 ? 1 : Math.min(1.0, (step - warmupSteps) / (double) span);
      return minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * p));
    }

    @Override
    public JsonObject toJson() {
      JsonObject o = new JsonObject();
      o.addProperty("type", "cosine");
      o.addProperty("lr", lr);
      o.addProperty("warmup_steps", warmupSteps);
      o.addProperty("total_steps", totalSteps);
      o.addProperty("min_lr", minLr);
      return o;
    }
  }
}
