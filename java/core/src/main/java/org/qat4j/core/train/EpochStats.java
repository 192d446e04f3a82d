package org.qat4j.core.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * Metrics of one epoch (0-based index): mean training loss and top-1 accuracy, validation loss and
 * accuracy (NaN without validation data), training wall seconds (validation excluded), training
 * images per second, the learning rate at the end of the epoch and the global step.
 */
public record EpochStats(
    int epoch,
    double loss,
    double accuracy,
    double valLoss,
    double valAccuracy,
    double seconds,
    double imagesPerSecond,
    double lr,
    long globalStep) {

  public boolean hasValidation() {
    return !Double.isNaN(valLoss);
  }

  JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("epoch", epoch);
    o.add("loss", num(loss));
    o.add("accuracy", num(accuracy));
    o.add("val_loss", num(valLoss));
    o.add("val_accuracy", num(valAccuracy));
    o.add("seconds", num(seconds));
    o.add("images_per_second", num(imagesPerSecond));
    o.add("lr", num(lr));
    o.addProperty("global_step", globalStep);
    return o;
  }

  static EpochStats fromJson(JsonObject o) {
    return new EpochStats(
        o.get("epoch").getAsInt(),
        dbl(o, "loss"),
        dbl(o, "accuracy"),
        dbl(o, "val_loss"),
        dbl(o, "val_accuracy"),
        dbl(o, "seconds"),
        dbl(o, "images_per_second"),
        dbl(o, "lr"),
        o.get("global_step").getAsLong());
  }

  // JSON has no NaN/Inf: store null and read it back as NaN.
  private static JsonElement num(double v) {
    return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
  }

  private static double dbl(JsonObject o, String k) {
    JsonElement e = o.get(k);
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }
}
