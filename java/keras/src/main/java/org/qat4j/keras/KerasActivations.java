package org.qat4j.keras;

import org.qat4j.core.Node;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.Gelu;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Rescaling;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.Tanh;

/**
 * Keras activations (the {@code Activation} layer, a layer's {@code activation=}, the ReLU and ELU
 * layers) as qat4j layers that compute them exactly; an activation without one is refused by name.
 * selu, ELU(α ≠ 1) and hard_sigmoid are chains of existing layers, so each part keeps its own QAT,
 * float/int8 lowering and Edge TPU rule.
 */
final class KerasActivations {
  /** Keras's selu constants (float32, as Keras applies them). */
  static final float SELU_ALPHA = 1.67326324f, SELU_SCALE = 1.05070098f;

  private final LayerMapper m;
  private final Names names;
  private final int kerasMajor;

  KerasActivations(LayerMapper m, Names names, String kerasVersion) {
    this.m = m;
    this.names = names;
    this.kerasMajor = major(kerasVersion);
  }

  /** The major version of "2.13.1", "3.4.1", ...; 0 when unknown. */
  static int major(String version) {
    int i = 0;
    while (version != null && i < version.length() && Character.isDigit(version.charAt(i))) i++;
    return i == 0 || i > 3 ? 0 : Integer.parseInt(version.substring(0, i));
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
      case "selu" -> scaled(elu(x, SELU_ALPHA, name + "_elu"), SELU_SCALE, name);
      case "hard_sigmoid" -> hardSigmoid(c, x, name);
      // keras.activations.gelu's approximate defaults to False (Keras 3 and tf.keras 2); a file
      // names the function only, so the erf form is what Keras computed
      case "gelu" -> m.add(new Gelu(name, false), x);
      default -> throw unsupported(c, act);
    };
  }

  static KerasImportException unsupported(LayerMapper.Call c, String act) {
    return c.k.error(
        "unsupported Keras activation '" + act + "': qat4j has no layer that computes it exactly");
  }

  /**
   * α·(e^x − 1) below 0, x above: ELU then LeakyReLU(α) (ELU keeps the sign, so the slope scales
   * exactly its negative part); ELU alone for α = 1.
   */
  private Node elu(Node x, float alpha, String name) {
    if (alpha == 1f) return m.add(new ELU(name), x);
    Node e = m.add(new ELU(names.fresh(name + "_unit")), x);
    return m.add(new LeakyReLU(name, alpha), e);
  }

  /** The Keras ELU layer (any α). */
  Node eluLayer(LayerMapper.Call c) {
    return elu(c.one(), (float) c.k.real("alpha", 1.0), c.name);
  }

  private Node scaled(Node x, float scale, String name) {
    return m.add(new Rescaling(name, scale, 0f), x);
  }

  /**
   * Keras 3: relu6(x + 3) / 6; Keras 2: clip(0.2·x + 0.5, 0, 1) = relu6(1.2·x + 3) / 6. Both as
   * Rescaling, ReLU6, Rescaling; the file's Keras version picks the slope.
   */
  private Node hardSigmoid(LayerMapper.Call c, Node x, String name) {
    if (kerasMajor != 2 && kerasMajor != 3)
      throw c.k.error(
          "activation 'hard_sigmoid' needs the file's Keras version (Keras 2: clip(0.2x + 0.5, 0,"
              + " 1), Keras 3: relu6(x + 3) / 6), and the file does not name one");
    float slope = kerasMajor == 2 ? 1.2f : 1f;
    Node t = m.add(new Rescaling(names.fresh(name + "_shift"), slope, 3f), x);
    Node r = m.add(new ReLU6(names.fresh(name + "_relu6")), t);
    return scaled(r, 1f / 6f, name);
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
