package org.qat4j.core.layers;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/** Small JSON helpers for layer configs. */
public final class Configs {
  private Configs() {}

  public static JsonArray array(int... v) {
    JsonArray a = new JsonArray();
    for (int x : v) a.add(x);
    return a;
  }

  public static JsonArray array(float... v) {
    JsonArray a = new JsonArray();
    for (float x : v) a.add(x);
    return a;
  }

  public static float[] floats(JsonObject o, String key) {
    if (!o.has(key)) throw new IllegalArgumentException("config missing '" + key + "'");
    JsonArray a = o.getAsJsonArray(key);
    float[] r = new float[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsFloat();
    return r;
  }

  public static int[] ints(JsonObject o, String key) {
    if (!o.has(key)) throw new IllegalArgumentException("config missing '" + key + "'");
    JsonArray a = o.getAsJsonArray(key);
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsInt();
    return r;
  }

  public static int integer(JsonObject o, String key, int dflt) {
    return o.has(key) ? o.get(key).getAsInt() : dflt;
  }

  public static float real(JsonObject o, String key, float dflt) {
    return o.has(key) ? o.get(key).getAsFloat() : dflt;
  }

  public static boolean bool(JsonObject o, String key, boolean dflt) {
    return o.has(key) ? o.get(key).getAsBoolean() : dflt;
  }

  public static String str(JsonObject o, String key, String dflt) {
    return o.has(key) ? o.get(key).getAsString() : dflt;
  }
}
