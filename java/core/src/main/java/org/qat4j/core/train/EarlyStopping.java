package org.qat4j.core.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.qat4j.core.Param;

/**
 * Stops training when a monitored metric has not improved by more than {@code minDelta} for {@code
 * patience} epochs; optionally restores the parameters of the best epoch at the end.
 */
public final class EarlyStopping implements Callback {
  /** Metric to watch; losses are minimised, accuracies maximised. */
  public enum Monitor {
    LOSS,
    ACCURACY,
    VAL_LOSS,
    VAL_ACCURACY
  }

  private final Monitor monitor;
  private final int patience;
  private final double minDelta;
  private final boolean restoreBest;
  private double best = Double.NaN;
  private int bestEpoch = -1;
  private int wait;
  private Map<String, float[]> bestWeights;

  public EarlyStopping(Monitor monitor, int patience, double minDelta, boolean restoreBest) {
    if (patience < 0 || minDelta < 0)
      throw new IllegalArgumentException("patience and minDelta must be >= 0");
    this.monitor = monitor;
    this.patience = patience;
    this.minDelta = minDelta;
    this.restoreBest = restoreBest;
  }

  /** Epoch (0-based) with the best monitored value so far, or -1. */
  public int bestEpoch() {
    return bestEpoch;
  }

  public double best() {
    return best;
  }

  @Override
  public void onEpochEnd(Trainer trainer, EpochStats s) {
    double v = value(s);
    if (Double.isNaN(v))
      throw new IllegalStateException(
          "early stopping monitors "
              + monitor
              + " but epoch "
              + s.epoch()
              + " has none (no validation set?)");
    boolean minimise = monitor == Monitor.LOSS || monitor == Monitor.VAL_LOSS;
    boolean better = Double.isNaN(best) || (minimise ? v < best - minDelta : v > best + minDelta);
    if (better) {
      best = v;
      bestEpoch = s.epoch();
      wait = 0;
      if (restoreBest) bestWeights = snapshot(trainer);
    } else if (++wait > patience) {
      trainer.requestStop();
    }
  }

  @Override
  public void onTrainEnd(Trainer trainer) {
    if (!restoreBest || bestWeights == null) return;
    trainer.model().params().forEach((k, p) -> p.value().copyFrom(bestWeights.get(k)));
  }

  private double value(EpochStats s) {
    return switch (monitor) {
      case LOSS -> s.loss();
      case ACCURACY -> s.accuracy();
      case VAL_LOSS -> s.valLoss();
      case VAL_ACCURACY -> s.valAccuracy();
    };
  }

  private static Map<String, float[]> snapshot(Trainer t) {
    Map<String, float[]> m = new LinkedHashMap<>();
    for (Map.Entry<String, Param> e : t.model().params().entrySet())
      m.put(e.getKey(), e.getValue().value().toArray());
    return m;
  }
}
