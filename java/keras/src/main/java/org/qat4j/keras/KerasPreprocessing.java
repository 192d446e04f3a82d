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
   * Normalization: mean and variance from the config when given there, else the layer's weights
   * (mean, variance, count) as adapted in Keras; one per channel when the kept axes vary along the
   * last axis at most, else broadcast to one per element of the sample.
   */
  private static Node normalization(LayerMapper m, LayerMapper.Call c) {
    KerasConfig k = c.k;
    Node x = c.one();
    boolean[] keep = keptAxes(k, x.shape());
    if (k.bool("invert", false)) throw k.error("invert=True is not supported");
    float[] mean, var;
    if (k.has("mean") && k.has("variance")) {
      mean = values(k.cfg.get("mean"));
      var = values(k.cfg.get("variance"));
    } else {
      Var[] w =
          c.vars(List.of(new String[] {"mean"}, new String[] {"variance"}, new String[] {"count"}));
      mean = w[0].values();
      var = w[1].values();
    }
    try {
      return m.add(
          new Normalization(
              c.name,
              broadcast(k, mean, x.shape(), keep, "mean"),
              broadcast(k, var, x.shape(), keep, "variance")),
          x);
    } catch (IllegalArgumentException e) {
      throw k.error(e.getMessage());
    }
  }

  /**
   * The per-sample axes {@code axis} keeps (Keras counts the batch as 0): default −1 (the last),
   * None keeps none (one mean and variance).
   */
  private static boolean[] keptAxes(KerasConfig k, int[] shape) {
    int rank = shape.length;
    boolean[] keep = new boolean[rank];
    JsonElement axis = k.cfg.has("axis") ? k.cfg.get("axis") : null;
    List<Integer> kept = new ArrayList<>();
    if (axis == null) kept.add(-1);
    else if (axis.isJsonPrimitive()) kept.add(axis.getAsInt());
    else if (axis.isJsonArray()) for (JsonElement e : axis.getAsJsonArray()) kept.add(e.getAsInt());
    for (int a : kept) {
      int d = a < 0 ? rank + 1 + a : a;
      if (d < 1 || d > rank) throw k.error("axis " + axis + " is out of range for rank " + rank);
      keep[d - 1] = true;
    }
    return keep;
  }

  /**
   * Statistics over the kept axes (row-major, as Keras stores them; or one value) as one per
   * channel when only the last kept axis is longer than 1, else one per element of the sample.
   */
  private static float[] broadcast(
      KerasConfig k, float[] v, int[] shape, boolean[] keep, String what) {
    int rank = shape.length, kept = 1;
    boolean perChannel = true;
    for (int d = 0; d < rank; d++) {
      if (!keep[d]) continue;
      kept *= shape[d];
      if (d < rank - 1 && shape[d] > 1) perChannel = false;
    }
    if (v.length != 1 && v.length != kept)
      throw k.error(what + " has " + v.length + " values, the kept axes hold " + kept);
    if (perChannel) return perChannel(k, v, shape[rank - 1], what);
    int per = 1;
    for (int d : shape) per *= d;
    float[] out = new float[per];
    for (int e = 0; e < per; e++) {
      int rest = e, index = 0, stride = 1;
      for (int d = rank - 1; d >= 0; d--) {
        int coord = rest % shape[d];
        rest /= shape[d];
        if (!keep[d]) continue;
        index += coord * stride;
        stride *= shape[d];
      }
      out[e] = v.length == 1 ? v[0] : v[index];
    }
    return out;
  }

  private static float[] values(JsonElement e) {
    List<Float> v = new ArrayList<>();
    flatten(e, v);
    float[] a = new float[v.size()];
    for (int i = 0; i < a.length; i++) a[i] = v.get(i);
    return a;
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
