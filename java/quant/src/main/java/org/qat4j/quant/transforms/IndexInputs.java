package org.qat4j.quant.transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.quant.Treatment;

/**
 * Model inputs that hold indices for lookup tables (Embedding): they get no input quantizer (token
 * indices up to thousands do not fit int8) and become INT32 inputs of the int8 graph, as TFLite's
 * converter leaves them.
 */
final class IndexInputs {
  private IndexInputs() {}

  /** True when every consumer of model input {@code input} is a lookup table. */
  static boolean isIndexInput(Model m, Node input, Function<Node, Treatment> treatment) {
    List<Node> c = m.consumers(input);
    if (c.isEmpty()) return false;
    for (Node n : c) if (treatment.apply(n) != Treatment.TABLE_LOOKUP) return false;
    return true;
  }

  /**
   * Why a quantized lookup table cannot read its indices: they must come straight from a model
   * input that feeds lookup tables only.
   */
  static List<String> problems(
      Model m, Function<Node, Treatment> treatment, Predicate<Node> quantized) {
    List<String> p = new ArrayList<>();
    for (Node n : m.nodes()) {
      if (m.inputs().contains(n)
          || treatment.apply(n) != Treatment.TABLE_LOOKUP
          || !quantized.test(n)) continue;
      Node in = n.inputs().get(0);
      String what = "'" + n.name() + "' (" + n.layer().type() + "): ";
      if (!m.inputs().contains(in))
        p.add(
            what
                + "reads its indices from '"
                + in.name()
                + "', not from a model input; the int8 graph takes indices only as an INT32 model"
                + " input");
      else if (!isIndexInput(m, in, treatment))
        p.add(
            what
                + "model input '"
                + in.name()
                + "' holds its indices and also feeds other layers; an index input may feed"
                + " lookup tables only");
    }
    return p;
  }
}
