package org.qat4j.quant.lower;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.qat4j.core.Node;

/**
 * Shape-derived options of layers known by type name (which layers lower is FloatLowering's table).
 */
final class LayerSupport {
  private LayerSupport() {}

  /**
   * ZeroPadding2D pads {top, bottom, left, right}, read from its config ("padding" as
   * [[t,b],[l,r]], [t,b,l,r], [h,w] or a single int) and checked against the node's shapes.
   */
  static int[] zeroPadding(Node n) {
    JsonObject c = n.layer().config();
    int[] p =
        n.layer() instanceof org.qat4j.core.layers.ZeroPadding2D z
            ? z.padding()
            : parsePadding(c.get("padding"));
    if (p == null) {
      int[] in = n.inputs().get(0).shape(), out = n.shape();
      int dh = out[0] - in[0], dw = out[1] - in[1];
      p = new int[] {dh / 2, dh - dh / 2, dw / 2, dw - dw / 2};
    }
    int[] in = n.inputs().get(0).shape(), out = n.shape();
    if (in[0] + p[0] + p[1] != out[0] || in[1] + p[2] + p[3] != out[1]) {
      throw new IllegalArgumentException(
          "layer '" + n.name() + "': cannot determine ZeroPadding2D paddings from config " + c);
    }
    return p;
  }

  private static int[] parsePadding(JsonElement e) {
    if (e == null || e.isJsonNull()) return null;
    if (e.isJsonPrimitive()) {
      int v = e.getAsInt();
      return new int[] {v, v, v, v};
    }
    JsonArray a = e.getAsJsonArray();
    if (a.size() == 2 && a.get(0).isJsonArray()) {
      JsonArray h = a.get(0).getAsJsonArray(), w = a.get(1).getAsJsonArray();
      return new int[] {
        h.get(0).getAsInt(), h.get(1).getAsInt(), w.get(0).getAsInt(), w.get(1).getAsInt()
      };
    }
    if (a.size() == 2) {
      int h = a.get(0).getAsInt(), w = a.get(1).getAsInt();
      return new int[] {h, h, w, w};
    }
    if (a.size() == 4)
      return new int[] {
        a.get(0).getAsInt(), a.get(1).getAsInt(), a.get(2).getAsInt(), a.get(3).getAsInt()
      };
    return null;
  }
}
