package org.qat4j.quant.transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Weighted;

/**
 * A graph rewrite as data: a chain of layer tests (each link a capability or class test; every
 * intermediate output has exactly one consumer) and what replaces it. The QAT transform ({@link
 * ModelTransformer}) and the float export's fusion plan match the same {@link #DEFAULTS}.
 */
public record Transform(String name, List<Predicate<Layer>> chain, Kind kind) {
  /** The replacement. */
  public enum Kind {
    /**
     * conv/dense + BatchNormalization [+ ReLU/ReLU6] → one ConvBatchNorm simulating the folded
     * weights.
     */
    FOLD_BATCH_NORM,
    /**
     * layer + standalone ReLU/ReLU6 → the layer with the activation fused before its output
     * quantizer.
     */
    FUSE_ACTIVATION
  }

  // capabilities, not type names: a new Weighted layer folds and fuses without an edit here
  private static final Predicate<Layer> CONVS = l -> l instanceof Weighted;
  private static final Predicate<Layer> BN = l -> l instanceof BatchNormalization;
  private static final Predicate<Layer> RELUS = l -> l instanceof ReLU || l instanceof ReLU6;
  private static final Predicate<Layer> ADD = l -> l instanceof Add;

  /** The default transforms, tried in this order at every node. */
  public static final List<Transform> DEFAULTS =
      List.of(
          new Transform("ConvBatchNormReLU", List.of(CONVS, BN, RELUS), Kind.FOLD_BATCH_NORM),
          new Transform("ConvBatchNorm", List.of(CONVS, BN), Kind.FOLD_BATCH_NORM),
          new Transform("ConvReLU", List.of(CONVS, RELUS), Kind.FUSE_ACTIVATION),
          new Transform("AddReLU", List.of(ADD, RELUS), Kind.FUSE_ACTIVATION));

  /**
   * The nodes of this rewrite starting at {@code first} in {@code m}, or null: each node's type is
   * in its link and passes {@code eligible}, each intermediate node has one consumer that reads
   * only it, and a {@link Weighted} first node has no activation of its own.
   */
  public List<Node> match(Model m, Node first, Predicate<Node> eligible) {
    if (first.layer() instanceof Weighted w && w.activation() != Activation.NONE) return null;
    List<Node> nodes = new ArrayList<>();
    Node cur = first;
    for (int i = 0; i < chain.size(); i++) {
      if (!chain.get(i).test(cur.layer()) || !eligible.test(cur)) return null;
      nodes.add(cur);
      if (i == chain.size() - 1) break;
      List<Node> next = m.consumers(cur);
      if (next.size() != 1 || m.outputs().contains(cur) || next.get(0).inputs().size() != 1)
        return null;
      cur = next.get(0);
    }
    return nodes;
  }
}
