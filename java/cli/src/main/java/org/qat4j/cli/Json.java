package org.qat4j.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * JSON helpers: one pretty-printed document per command, NaN/Infinity allowed as in Python's json.
 */
final class Json {
  static final Gson GSON =
      new GsonBuilder()
          .setPrettyPrinting()
          .serializeNulls()
          .serializeSpecialFloatingPointValues()
          .disableHtmlEscaping()
          .create();

  private Json() {}

  static JsonArray array(double[] values) {
    JsonArray a = new JsonArray();
    for (double v : values) a.add(v);
    return a;
  }

  static JsonArray array(int[] values) {
    JsonArray a = new JsonArray();
    for (int v : values) a.add(v);
    return a;
  }

  static JsonArray array(Iterable<? extends JsonElement> values) {
    JsonArray a = new JsonArray();
    for (JsonElement v : values) a.add(v);
    return a;
  }

  static JsonObject object(Object... keyValues) {
    JsonObject o = new JsonObject();
    for (int i = 0; i < keyValues.length; i += 2) put(o, (String) keyValues[i], keyValues[i + 1]);
    return o;
  }

  static void put(JsonObject o, String key, Object v) {
    if (v == null) o.add(key, com.google.gson.JsonNull.INSTANCE);
    else if (v instanceof JsonElement e) o.add(key, e);
    else if (v instanceof Number n) o.addProperty(key, n);
    else if (v instanceof Boolean b) o.addProperty(key, b);
    else o.addProperty(key, v.toString());
  }
}
