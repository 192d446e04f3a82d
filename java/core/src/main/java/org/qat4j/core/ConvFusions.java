package org.qat4j.core;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.layers.ConvBnPool;

/**
 * A {@link Model}'s Conv2D → BN → ReLU/ReLU6 → MaxPool2D chains that training may run as one {@link
 * ConvBnPool}, and the pairs whose first layer is {@link Fusable} (e.g. a QAT conv block), keyed by
 * their first and last nodes, and the per-pass decision: a chain runs fused in a fused training
 * pass when no trainable parameter before its first layer needs that layer's input gradient (a
 * first layer) and the layers fit the kernel ({@link TrainingFusion#use}); otherwise the layers run
 * as before (the conv alone and its BN chain as {@code BnActPool}; the pair one by one).
 */
final class ConvFusions {
  private final Model model;
  private final Map<Node, TrainingFusion> from = new IdentityHashMap<>();
  private final Map<Node, TrainingFusion> to = new IdentityHashMap<>();

  ConvFusions(Model model) {
    this.model = model;
    for (int i = 0; i < model.nodes().size(); i++) {
      Node[] c = chain(model, i, 4);
      TrainingFusion f =
          c.length < 4
              ? null
              : ConvBnPool.match(c[0].layer(), c[1].layer(), c[2].layer(), c[3].layer());
      if (f == null && c.length >= 2 && c[0].layer() instanceof Fusable p) {
        f = p.fuseNext(c[1].layer());
      }
      if (f == null) continue;
      from.put(c[0], f);
      to.put(c[f.span() - 1], f);
    }
  }

  /**
   * The longest run (up to {@code max} nodes) of the model's order from index i in which each node
   * feeds only the next one and none but the last is a model output.
   */
  static Node[] chain(Model model, int i, int max) {
    List<Node> order = model.nodes();
    Node[] chain = new Node[max];
    int len = 0;
    for (int k = i; k < Math.min(i + max, order.size()); k++, len++) {
      Node n = order.get(k);
      if (k > i
          && (n.inputs().size() != 1
              || n.inputs().get(0) != chain[len - 1]
              || model.consumers(chain[len - 1]).size() != 1
              || model.outputs().contains(chain[len - 1]))) break;
      chain[len] = n;
    }
    return Arrays.copyOf(chain, len);
  }

  /**
   * The fusion starting at node n if it runs in this forward pass ({@code fused}: a training pass
   * that fuses), else null; records the decision for {@link #ran}.
   */
  TrainingFusion start(Node n, boolean fused, ExecContext ctx) {
    TrainingFusion c = from.get(n);
    if (c == null) return null;
    // The gradient map is built only for a pass that may fuse (not on every inference call).
    boolean inputGradient = fused && model.gradientNeeded(false).get(n.inputs().get(0));
    return c.use(fused, inputGradient, ctx) ? c : null;
  }

  /** The fusion ending at node n if it ran in the last forward pass, else null. */
  TrainingFusion ran(Node n) {
    TrainingFusion c = to.get(n);
    return c != null && c.active() ? c : null;
  }
}
