package org.qat4j.keras;

import org.qat4j.core.Node;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.Tanh;

/**
 * Keras activations (the {@code Activation} layer, a layer's {@code activation=} and the ReLU
 * layer) as qat4j layers that compute them exactly; an activation without one is refused by name.
 */
final class KerasActivations {
  private final LayerMapper m;
  private final Names names;

  KerasActivations(LayerMapper m, Names names) {
    this.m = m;
    this.names = names;
  }

  /** The fused form of a Keras activation, or null when it needs a layer of its own. */
  static Activation fused(String act) {
    return switch (act) {
      case "linear" -> Activation.NONE;
      case "relu" -> Activation.RELU;
      case "relu6" -> Activation.RELU6;
      default -> null;
    };
  }

  static Activation fusedOrNone(String act) {
    Activation a = fused(act);
    return a == null ? Activation.NONE : a;
  }

  /** Applies Keras activation {@code act} to {@code x} as its own layer named {@code name}. */
  Node activate(LayerMapper.Call c, String act, Node x, String name) {
    return switch (act) {
      case "linear" -> x;
      case "relu" -> m.add(new ReLU(name), x);
      case "relu6" -> m.add(new ReLU6(name), x);
      case "sigmoid" -> m.add(new Sigmoid(name), x);
      case "softmax" -> m.add(new Softmax(name), x);
      case "hard_swish", "hard_silu" -> m.add(new HardSwish(name), x);
      case "tanh" -> m.add(new Tanh(name), x);
      case "elu" -> m.add(new ELU(name), x);
      case "leaky_relu" -> m.add(new LeakyReLU(name, 0.2f), x);
      case "swish", "silu" -> KerasMerges.swish(m.graph(), names, x, name);
      default ->
          throw c.k.error(
              "activation '"
                  + act
                  + "' is not supported: qat4j has no layer that computes it exactly");
    };
  }

  /** The Keras ReLU layer: max_value none or 6, or a negative slope alone. */
  Node relu(LayerMapper.Call c) {
    KerasConfig k = c.k;
    double slope = k.real("negative_slope", 0), threshold = k.real("threshold", 0);
    if (threshold != 0) throw k.error("threshold " + threshold + " is not supported (only 0)");
    if (slope != 0 && k.has("max_value"))
      throw k.error("negative_slope " + slope + " with a max_value is not supported");
    if (slope != 0) return m.add(new LeakyReLU(c.name, (float) slope), c.one());
    if (!k.has("max_value")) return m.add(new ReLU(c.name), c.one());
    double max = k.real("max_value", 0);
    if (max == 6.0) return m.add(new ReLU6(c.name), c.one());
    throw k.error("max_value " + max + " is not supported (only none or 6)");
  }
}
