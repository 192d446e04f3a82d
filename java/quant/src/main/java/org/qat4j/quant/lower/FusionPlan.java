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
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Weighted;
import org.qat4j.ir.FusedActivation;
import org.qat4j.quant.transforms.Transform;

/**
 * How a core model maps onto TFLite operators: each {@link Step} is one main node plus the
 * BatchNormalization folded into it and the ReLU/ReLU6 fused into it. BN folds only into a
 * Conv2D/DepthwiseConv2D/Dense without activation whose single consumer it is; a standalone
 * ReLU/ReLU6 fuses into a single-consumer CONV_2D/DEPTHWISE_CONV_2D/FULLY_CONNECTED/ADD producer
 * (TFLite's CONCATENATION rejects fused activations, so it is never fused there). The groups are
 * the QAT transform's rewrites ({@link Transform#DEFAULTS}), matched by the same code.
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
      if (model.inputs().contains(n) || absorbed.containsKey(n)) continue;
      Step s = plan(model, n);
      if (s.bn() != null) absorbed.put(s.bn(), Boolean.TRUE);
      if (s.act() != null) absorbed.put(s.act(), Boolean.TRUE);
      steps.add(s);
    }
    return new FusionPlan(steps);
  }

  /**
   * The first of the shared rewrites ({@link Transform#DEFAULTS}) matching at {@code n}, as a step.
   */
  private static Step plan(Model model, Node n) {
    for (Transform t : Transform.DEFAULTS) {
      List<Node> c = t.match(model, n, x -> true);
      if (c == null) continue;
      Node tail = c.get(c.size() - 1);
      boolean act = tail.layer() instanceof ReLU || tail.layer() instanceof ReLU6;
      FusedActivation f =
          !act
              ? FusedActivation.NONE
              : tail.layer() instanceof ReLU ? FusedActivation.RELU : FusedActivation.RELU6;
      Node bn = t.kind() == Transform.Kind.FOLD_BATCH_NORM ? c.get(1) : null;
      return new Step(n, bn, act ? tail : null, f, tail);
    }
    return new Step(n, null, null, fused(activationOf(n.layer())), n);
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
  public List<Step> steps() {
    return steps;
  }

  /**
   * The step that contains {@code n} (as main, folded BN or fused activation), or null for the
   * input.
   */
  public Step stepOf(Node n) {
    return byNode.get(n);
  }
}
