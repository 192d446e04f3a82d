package org.qat4j.core.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Per-epoch metrics of a training run, in epoch order; saved with checkpoints. */
public final class History {
  private final List<EpochStats> epochs = new ArrayList<>();

  public List<EpochStats> epochs() {
    return Collections.unmodifiableList(epochs);
  }

  public int size() {
    return epochs.size();
  }

  public EpochStats last() {
    if (epochs.isEmpty()) throw new IllegalStateException("history is empty");
    return epochs.get(epochs.size() - 1);
  }

  /** Training losses by epoch. */
  public double[] losses() {
    return epochs.stream().mapToDouble(EpochStats::loss).toArray();
  }

  public double[] valAccuracies() {
    return epochs.stream().mapToDouble(EpochStats::valAccuracy).toArray();
  }

  void add(EpochStats s) {
    epochs.add(s);
  }

  public History copy() {
    History h = new History();
    h.epochs.addAll(epochs);
    return h;
  }

  public JsonArray toJson() {
    JsonArray a = new JsonArray();
    for (EpochStats s : epochs) a.add(s.toJson());
    return a;
  }

  public static History fromJson(JsonArray a) {
    History h = new History();
    for (JsonElement e : a) h.epochs.add(EpochStats.fromJson(e.getAsJsonObject()));
    return h;
  }
}
