package org.qat4j.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Readers over one Keras layer entry ({@code {"class_name", "config", ...}}) that accept the
 * variants written by Keras 2.0 to 3.x: ints or lists, names inside or outside the config,
 * activations as strings or serialised objects. Errors name the file and the layer.
 */
final class KerasConfig {
  final JsonObject entry;
  final JsonObject cfg;
  final String className;
  final String name;
  final String where;

  KerasConfig(JsonElement e, String file) {
    if (e == null || !e.isJsonObject())
      throw new KerasImportException(file, "layer entry is not a JSON object: " + abbreviate(e));
    entry = e.getAsJsonObject();
    className = entry.has("class_name") ? entry.get("class_name").getAsString() : null;
    if (className == null)
      throw new KerasImportException(file, "layer entry without class_name: " + abbreviate(e));
    JsonElement c = entry.get("config");
    cfg = c != null && c.isJsonObject() ? c.getAsJsonObject() : new JsonObject();
    String n =
        cfg.has("name")
            ? cfg.get("name").getAsString()
            : entry.has("name") ? entry.get("name").getAsString() : null;
    // Keras 2.1 to_json() writes a Sequential as a bare list without a name
    if (n == null && isModel(className)) n = Names.snake(className);
    if (n == null) throw new KerasImportException(file, className + " layer entry without a name");
    name = n;
    where = file + ", layer '" + name + "' (" + className + ")";
  }

  KerasImportException error(String what) {
    return new KerasImportException(where, what);
  }

  boolean has(String key) {
    return cfg.has(key) && !cfg.get(key).isJsonNull();
  }

  String str(String key, String dflt) {
    return has(key) ? cfg.get(key).getAsString() : dflt;
  }

  double real(String key, double dflt) {
    return has(key) ? cfg.get(key).getAsDouble() : dflt;
  }

  boolean bool(String key, boolean dflt) {
    return has(key) ? cfg.get(key).getAsBoolean() : dflt;
  }

  int integer(String key, int dflt) {
    return has(key) ? cfg.get(key).getAsInt() : dflt;
  }

  /** An int or a list of {@code n} ints (Keras stores both), e.g. kernel_size. */
  int[] ints(String key, int n, int[] dflt) {
    if (!has(key)) {
      if (dflt == null) throw error("config has no '" + key + "'");
      return dflt;
    }
    JsonElement e = cfg.get(key);
    if (e.isJsonPrimitive()) {
      int[] out = new int[n];
      Arrays.fill(out, e.getAsInt());
      return out;
    }
    JsonArray a = e.getAsJsonArray();
    if (a.size() != n) throw error("'" + key + "' must have " + n + " values, got " + a);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) out[i] = a.get(i).getAsInt();
    return out;
  }

  /** The activation's name: a string, or the name inside a serialised function object. */
  String activation() {
    return activation("activation", "linear");
  }

  /** As {@link #activation()} for config {@code key} (e.g. recurrent_activation). */
  String activation(String key, String dflt) {
    if (!has(key)) return dflt;
    JsonElement a = cfg.get(key);
    if (a.isJsonPrimitive()) return a.getAsString();
    JsonObject o = a.getAsJsonObject();
    JsonElement c = o.get("config");
    if (c != null && c.isJsonPrimitive()) return c.getAsString();
    return o.has("class_name") ? o.get("class_name").getAsString() : a.toString();
  }

  /** Refuses {@code channels_first} (qat4j is NHWC). */
  void requireChannelsLast() {
    String f = str("data_format", "channels_last");
    if (!f.equals("channels_last"))
      throw error(
          "data_format '" + f + "' is not supported (qat4j layers are channels_last / NHWC)");
  }

  /**
   * The per-sample input shape from batch_shape (Keras 3) or batch_input_shape (Keras 2), or null.
   */
  int[] batchInputShape() {
    JsonElement s =
        has("batch_shape")
            ? cfg.get("batch_shape")
            : has("batch_input_shape") ? cfg.get("batch_input_shape") : null;
    if (s == null) return null;
    JsonArray a = s.getAsJsonArray();
    int[] out = new int[a.size() - 1];
    for (int i = 1; i < a.size(); i++) {
      if (a.get(i).isJsonNull())
        throw error(
            "input shape " + a + " has an unknown dimension; qat4j models need a fixed input size");
      out[i - 1] = a.get(i).getAsInt();
    }
    return out;
  }

  /** The layers of a Sequential/Functional config (old Sequential configs are a bare list). */
  List<JsonElement> layers() {
    JsonElement c = entry.get("config");
    JsonArray a =
        c != null && c.isJsonArray()
            ? c.getAsJsonArray()
            : has("layers") ? cfg.getAsJsonArray("layers") : null;
    if (a == null) throw error("model config has no 'layers'");
    List<JsonElement> l = new ArrayList<>();
    a.forEach(l::add);
    return l;
  }

  static boolean isModel(String className) {
    return className.equals("Sequential")
        || className.equals("Functional")
        || className.equals("Model");
  }

  static String abbreviate(Object o) {
    String s = String.valueOf(o);
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
