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
      case "Rescaling" -> rescaling(m, c);
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

  /** Rescaling: scale and offset each a number or (Keras 3) a list over the last axis. */
  private static Node rescaling(LayerMapper m, LayerMapper.Call c) {
    Node x = c.one();
    int ch = x.shape()[x.shape().length - 1];
    float[] scale = lastAxis(c.k, "scale", 1, ch), offset = lastAxis(c.k, "offset", 0, ch);
    try {
      return m.add(new Rescaling(c.name, scale, offset), x);
    } catch (IllegalArgumentException e) {
      throw c.k.error(e.getMessage());
    }
  }

  /**
   * A number, or a (nested) list that broadcasts along the last axis only: every dimension but the
   * innermost is 1, and the innermost is 1 or the input's {@code ch} channels.
   */
  private static float[] lastAxis(KerasConfig k, String key, double dflt, int ch) {
    if (!k.has(key)) return new float[] {(float) dflt};
    JsonElement e = k.cfg.get(key);
    if (e.isJsonPrimitive()) return new float[] {e.getAsFloat()};
    JsonElement inner = e;
    while (inner.isJsonArray()
        && inner.getAsJsonArray().size() == 1
        && inner.getAsJsonArray().get(0).isJsonArray()) inner = inner.getAsJsonArray().get(0);
    List<Float> v = new ArrayList<>();
    flatten(e, v);
    boolean flat = inner.isJsonArray() && inner.getAsJsonArray().size() == v.size();
    for (JsonElement i : inner.getAsJsonArray()) flat &= i.isJsonPrimitive();
    if (!flat || (v.size() != 1 && v.size() != ch))
      throw k.error(
          key
              + " "
              + KerasConfig.abbreviate(e)
              + " does not broadcast along the last axis of "
              + ch
              + " channels (qat4j scales per channel)");
    float[] a = new float[v.size()];
    for (int i = 0; i < a.length; i++) a[i] = v.get(i);
    return a;
  }

  /**
   * Normalization whose statistics vary along the last axis at most: mean and variance from the
   * config when given there, else the layer's weights (mean, variance, count) as adapted in Keras.
   */
  private static Node normalization(LayerMapper m, LayerMapper.Call c) {
    KerasConfig k = c.k;
    Node x = c.one();
    keptAxes(k, x.shape());
    int ch = x.shape()[x.shape().length - 1];
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

  /**
   * Checks that {@code axis} keeps the last axis, none (Keras's axis None: one mean and variance)
   * or axes of size 1 besides: the lowering multiplies by per-channel constants.
   */
  private static void keptAxes(KerasConfig k, int[] shape) {
    int rank = shape.length;
    JsonElement axis = k.cfg.has("axis") ? k.cfg.get("axis") : null;
    if (axis == null) return; // Keras's default, -1
    List<Integer> kept = new ArrayList<>();
    if (axis.isJsonPrimitive()) kept.add(axis.getAsInt());
    else if (axis.isJsonArray()) for (JsonElement e : axis.getAsJsonArray()) kept.add(e.getAsInt());
    for (int a : kept) {
      int d = a < 0 ? rank + 1 + a : a; // Keras counts the batch axis as 0
      if (d < 1 || d > rank) throw k.error("axis " + axis + " is out of range for rank " + rank);
      if (d != rank && shape[d - 1] != 1)
        throw k.error(
            "axis "
                + axis
                + " keeps axis "
                + a
                + " of size "
                + shape[d - 1]
                + ": not supported (qat4j's Normalization scales per channel: axis -1, None or"
                + " axes of size 1 with it)");
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
