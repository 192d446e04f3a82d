package org.qat4j.keras;

import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Average;
import org.qat4j.core.layers.Maximum;
import org.qat4j.core.layers.Minimum;
import org.qat4j.core.layers.Multiply;
import org.qat4j.core.layers.Sigmoid;

/**
 * Keras merge layers with n inputs (Maximum, Minimum, Average), the LeakyReLU setting and the swish
 * activation, as qat4j layers that compute them exactly.
 */
final class KerasMerges {
  private KerasMerges() {}

  /**
   * Average of all inputs as one layer; Maximum and Minimum as a chain of two-input layers (exact:
   * max and min are associative), the last one named after the call.
   */
  static Node merge(GraphBuilder g, Names names, KerasConfig k, Node[] in, String name) {
    if (in.length < 2) throw k.error(k.className + " needs at least 2 inputs, got " + in.length);
    if (k.className.equals("Average")) return g.add(new Average(name), in);
    boolean max = k.className.equals("Maximum");
    Node y = in[0];
    for (int i = 1; i < in.length; i++) {
      String n = i == in.length - 1 ? name : names.fresh(name + "_partial" + i);
      y = g.add(max ? new Maximum(n) : new Minimum(n), y, in[i]);
    }
    return y;
  }

  /** LeakyReLU's slope: Keras 3 {@code negative_slope}, Keras 2 {@code alpha}. */
  static double slope(KerasConfig k, double dflt) {
    return k.has("negative_slope") ? k.real("negative_slope", dflt) : k.real("alpha", dflt);
  }

  /** swish / silu: x·sigmoid(x) as a Sigmoid and a Multiply (TFLite LOGISTIC then MUL). */
  static Node swish(GraphBuilder g, Names names, Node x, String name) {
    Node s = g.add(new Sigmoid(names.fresh(name + "_sigmoid")), x);
    return g.add(new Multiply(name), x, s);
  }

  /** PReLU's {@code shared_axes} (null, an int or a list; batch = axis 0), as given. */
  static int[] sharedAxes(KerasConfig k) {
    if (!k.has("shared_axes")) return new int[0];
    var e = k.cfg.get("shared_axes");
    if (e.isJsonPrimitive()) return new int[] {e.getAsInt()};
    var a = e.getAsJsonArray();
    int[] r = new int[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsInt();
    for (int v : r)
      if (v < 1) throw k.error("shared_axes " + e + " must name axes ≥ 1 (0 is the batch)");
    return r;
  }
}
