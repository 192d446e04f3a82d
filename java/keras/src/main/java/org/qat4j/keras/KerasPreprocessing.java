package org.qat4j.keras;

import com.google.gson.JsonElement;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Cropping2D;

/**
 * Keras's image preprocessing and cropping layers (Cropping2D, Rescaling, Resizing, Normalization),
 * mapped to the qat4j layers of those names; NHWC inputs.
 */
final class KerasPreprocessing {
  private KerasPreprocessing() {}

  static Node map(LayerMapper m, LayerMapper.Call c) {
    return switch (c.k.className) {
      case "Cropping2D" -> cropping(m, c);
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
}
