package org.qat4j.quant.raise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Gelu;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.PReLU;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Softmax;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.TensorInfo;

/** Activations: fused ones (carried by a layer or split into their own), SOFTMAX and PRELU. */
final class ImportActivations {
  private ImportActivations() {}

  /** Adds a standalone activation layer for a fused activation the core layer cannot carry. */
  static Node layer(ImportGraph x, Object act, Node n, TensorInfo out) {
    String base = x.name(out.name());
    return switch (act.toString()) {
      case "RELU" -> x.g.add(new ReLU(base), n);
      case "RELU6" -> x.g.add(new ReLU6(base), n);
      default ->
          throw new ModelFormatException(x.where, "fused activation " + act + " is not supported");
    };
  }

  /** The fused activation of {@code op} for a layer that carries one (Conv2D, Dense, ...). */
  static Activation fused(ImportGraph x, OperatorInfo op) {
    Object a = op.options().getOrDefault("fused_activation_function", "NONE");
    return switch (a.toString()) {
      case "NONE" -> Activation.NONE;
      case "RELU" -> Activation.RELU;
      case "RELU6" -> Activation.RELU6;
      default ->
          throw new ModelFormatException(x.where, "fused activation " + a + " is not supported");
    };
  }

  /** LEAKY_RELU with its slope (0 when the file leaves it out). */
  static LeakyReLU leakyRelu(OperatorInfo op, String n) {
    return new LeakyReLU(n, op.options().get("alpha") instanceof Float a ? a : 0f);
  }

  /** GELU, erf form unless the file sets approximate (TFLite's default is false). */
  static Gelu gelu(OperatorInfo op, String n) {
    return new Gelu(n, Boolean.TRUE.equals(op.options().get("approximate")));
  }

  static Node softmax(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    Object beta = op.options().get("beta");
    if (beta instanceof Float b && b != 1f)
      throw new ModelFormatException(x.where, "beta " + b + " is not supported (only 1)");
    return x.unary(op, new Softmax(n));
  }

  /**
   * PRELU with a constant slope broadcast to the input (right-aligned, as NumPy): the axes where
   * the slope has size 1 become the PReLU's shared axes.
   */
  static Node prelu(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] xs = ImportGraph.perSample(x.s.tensor(op.inputs()[0]));
    TensorInfo a = x.constant(op.inputs()[1], "alpha");
    int[] as = a.shape(), full = new int[xs.length];
    if (as.length > xs.length + 1 || (as.length == xs.length + 1 && as[0] != 1))
      throw new ModelFormatException(x.where, "alpha " + Arrays.toString(as) + " has a batch axis");
    List<Integer> shared = new ArrayList<>();
    for (int d = xs.length - 1, k = as.length - 1; d >= 0; d--, k--) {
      full[d] = k >= 0 ? as[k] : 1;
      if (full[d] != xs[d] && full[d] != 1)
        throw new ModelFormatException(
            x.where,
            "alpha " + Arrays.toString(as) + " does not broadcast to " + Arrays.toString(xs));
      if (full[d] == 1 && xs[d] != 1) shared.add(0, d + 1);
    }
    PReLU p = new PReLU(n, shared.stream().mapToInt(Integer::intValue).toArray());
    Node node = x.g.add(p, x.node(op.inputs()[0]));
    x.copy(p.alpha().value(), x.floats(a), "alpha");
    return node;
  }
}
