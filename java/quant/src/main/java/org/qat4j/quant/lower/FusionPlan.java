package org.qat4j.quant.lower;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Weighted;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.ir.FusedActivation;

/**
 * How a core model maps onto TFLite operators: each {@link Step} is one main node plus the
 * BatchNormalization folded into it and the ReLU/ReLU6 fused into it. BN folds only into a
 * Conv2D/DepthwiseConv2D/Dense without activation whose single consumer it is; a standalone
 * ReLU/ReLU6 fuses into a single-consumer CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED/ADD producer
 * (TFLite's CONCATENATION rejects fused activations, so it is never fused there).
 */
public final class FusionPlan {
  /**
   * One lowered operator group. {@code bn} and {@code act} are null when absent; {@code last} is
   * the node whose output the group produces; {@code fused} is the resulting fused activation.
   */
  public record Step(Node main, Node bn, Node act, FusedActivation fused, Node last) {}

  private final List<Step> steps;
  private final Map<Node, Step> byNode = new IdentityHashMap<>();

  private FusionPlan(List<Step> steps) {
    this.steps = Collections.unmodifiableList(steps);
    for (Step s : steps) {
      byNode.put(s.main(), s);
      if (s.bn() != null) byNode.put(s.bn(), s);
      if (s.act() != null) byNode.put(s.act(), s);
    }
  }

  /** Plans the model (input node excluded). */
  public static FusionPlan of(Model model) {
    List<Step> steps = new ArrayList<>();
    Map<Node, Boolean> absorbed = new IdentityHashMap<>();
    for (Node n : model.nodes()) {
      if (n == model.input() || absorbed.containsKey(n)) continue;
      Step s = plan(model, n);
      if (s.bn() != null) absorbed.put(s.bn(), Boolean.TRUE);
      if (s.act() != null) absorbed.put(s.act(), Boolean.TRUE);
      steps.add(s);
    }
    return new FusionPlan(steps);
  }

  private static Step plan(Model model, Node n) {
    Layer l = n.layer();
    boolean weighted = l instanceof Weighted;
    if (!weighted && !(l instanceof Add)) return new Step(n, null, null, FusedActivation.NONE, n);
    FusedActivation own = weighted ? fused(activationOf(l)) : FusedActivation.NONE;
    if (own != FusedActivation.NONE) return new Step(n, null, null, own, n);
    Node last = n;
    Node bn = null;
    Node next = soleConsumer(model, last);
    if (weighted && next != null && next.layer() instanceof BatchNormalization) {
      bn = next;
      last = bn;
      next = soleConsumer(model, last);
    }
    if (next != null && (next.layer() instanceof ReLU || next.layer() instanceof ReLU6)) {
      FusedActivation f = next.layer() instanceof ReLU ? FusedActivation.RELU : FusedActivation.RELU6;
      return new Step(n, bn, next, f, next);
    }
    return new Step(n, bn, null, FusedActivation.NONE, last);
  }

  private static Node soleConsumer(Model model, Node n) {
    List<Node> c = model.consumers(n);
    return c.size() == 1 ? c.get(0) : null;
  }

  static Activation activationOf(Layer l) {
    return l instanceof Weighted w ? w.activation() : Activation.NONE;
  }

  static FusedActivation fused(Activation a) {
    return switch (a) {
      case NONE -> FusedActivation.NONE;
      case RELU -> FusedActivation.RELU;
      case RELU6 -> FusedActivation.RELU6;
    };
  }

  /** Steps in execution (topological) order. */
  public List<Step> steps() { return steps; }

  /** The step that contains {@code n} (as main, folded BN or fused activation), or null for the input. */
  public Step stepOf(Node n) { return byNode.get(n); }
}
