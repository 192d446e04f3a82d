package org.qat4j.keras;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Cropping2D;
import org.qat4j.core.layers.Normalization;
import org.qat4j.core.layers.Rescaling;
import org.qat4j.core.layers.Resizing;

/**
 * Keras's image preprocessing and cropping layers (Cropping2D, Rescaling, Resizing, Normalization),
 * mapped to the qat4j layers of those names; NHWC inputs.
 */
final class KerasPreprocessing {
  private KerasPreprocessing() {}

  static Node map(LayerMapper m, LayerMapper.Call c) {
    return switch (c.k.className) {
      case "Cropping2D" -> cropping(m, c);
      case "Rescaling" ->
          m.add(new Rescaling(c.name, scalar(c.k, "scale", 1), scalar(c.k, "offset", 0)), c.one());
      case "Normalization" -> normalization(m, c);
      case "Resizing" -> resizing(m, c);
      default -> throw LayerMapper.refusal(c.k);
    };
  }

  /** Cropping2D: an int, (symmetric_h, symmetric_w) or ((top, bottom), (left, right)). */
  private static Node cropping(LayerMapper m, LayerMapper.Call c) {
    KerasConfig k = c.k;
    JsonElement p = k.has("cropping") ? k.cfg.get("cropping") : null;
    int[] h, w;
    if (p == null) h = w = new int[] {0, 0};
    else if (p.isJsonPrimitive()) h = w = new int[] {p.getAsInt(), p.getAsInt()};
    else {
      var a = p.getAsJsonArray();
      if (a.size() != 2) throw k.error("cropping " + p + " must have 2 entries");
      h = pair(k, a.get(0));
      w = pair(k, a.get(1));
    }
    return m.add(new Cropping2D(c.name, h[0], h[1], w[0], w[1]), c.one());
  }

  private static int[] pair(KerasConfig k, JsonElement e) {
    if (e.isJsonPrimitive()) return new int[] {e.getAsInt(), e.getAsInt()};
    var a = e.getAsJsonArray();
    if (a.size() != 2) throw k.error("cropping entry " + e + " must have 2 values");
    return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
  }

  /** Resizing: height, width, interpolation bilinear or nearest; no aspect-ratio crop or pad. */
  private static Node resizing(LayerMapper m, LayerMapper.Call c) {
    KerasConfig k = c.k;
    for (String flag : new String[] {"crop_to_aspect_ratio", "pad_to_aspect_ratio", "antialias"})
      if (k.bool(flag, false)) throw k.error(flag + "=True is not supported");
    String i = k.str("interpolation", "bilinear");
    if (!i.equals("bilinear") && !i.equals("nearest"))
      throw k.error("interpolation '" + i + "' is not supported (bilinear or nearest)");
    if (c.one().shape().length != 3) throw k.error("expects an image input [H, W, C]");
    try {
      return m.add(
          new Resizing(c.name, k.integer("height", 0), k.integer("width", 0), i.equals("bilinear")),
          c.one());
    } catch (IllegalArgumentException e) {
      throw k.error(e.getMessage());
    }
  }

  /** A number; Keras 3 also takes per-channel lists, which qat4j's Rescaling does not. */
  private static float scalar(KerasConfig k, String key, double dflt) {
    if (k.has(key) && !k.cfg.get(key).isJsonPrimitive())
      throw k.error(key + " " + k.cfg.get(key) + " is not supported (only a number)");
    return (float) k.real(key, dflt);
  }

  /**
   * Normalization over the last axis: mean and variance from the config when given there, else the
   * layer's weights (mean, variance, count) as adapted in Keras.
   */
  private static Node normalization(LayerMapper m, LayerMapper.Call c) {
    KerasConfig k = c.k;
    Node x = c.one();
    int rank = x.shape().length, ch = x.shape()[rank - 1];
    JsonElement axis = k.has("axis") ? k.cfg.get("axis") : null;
    if (axis != null && axis.isJsonArray() && axis.getAsJsonArray().size() == 1)
      axis = axis.getAsJsonArray().get(0);
    int a = axis == null ? -1 : axis.isJsonPrimitive() ? axis.getAsInt() : 0;
    if (a != -1 && a != rank) throw k.error("axis " + axis + " is not supported (only -1)");
    if (k.bool("invert", false)) throw k.error("invert=True is not supported");
    float[] mean, var;
    if (k.has("mean") && k.has("variance")) {
      mean = perChannel(k, k.cfg.get("mean"), ch, "mean");
      var = perChannel(k, k.cfg.get("variance"), ch, "variance");
    } else {
      Var[] w =
          c.vars(List.of(new String[] {"mean"}, new String[] {"variance"}, new String[] {"count"}));
      mean = perChannel(k, w[0].values(), ch, "mean");
      var = perChannel(k, w[1].values(), ch, "variance");
    }
    try {
      return m.add(new Normalization(c.name, mean, var), x);
    } catch (IllegalArgumentException e) {
      throw k.error(e.getMessage());
    }
  }

  private static float[] perChannel(KerasConfig k, JsonElement e, int ch, String what) {
    if (e.isJsonPrimitive()) return perChannel(k, new float[] {e.getAsFloat()}, ch, what);
    List<Float> v = new ArrayList<>();
    flatten(e, v);
    float[] a = new float[v.size()];
    for (int i = 0; i < a.length; i++) a[i] = v.get(i);
    return perChannel(k, a, ch, what);
  }

  private static void flatten(JsonElement e, List<Float> out) {
    if (e.isJsonPrimitive()) out.add(e.getAsFloat());
    else for (JsonElement i : e.getAsJsonArray()) flatten(i, out);
  }

  /** One value per channel: {@code v} as is, or its single value repeated. */
  private static float[] perChannel(KerasConfig k, float[] v, int ch, String what) {
    if (v.length == ch) return v;
    if (v.length != 1)
      throw k.error(what + " has " + v.length + " values, the input has " + ch + " channels");
    float[] r = new float[ch];
    Arrays.fill(r, v[0]);
    return r;
  }
}
