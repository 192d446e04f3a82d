package org.qat4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.qat4j.core.layers.Input;

/**
 * Functional model builder: {@code Node x = g.input("input", 28, 28, 1); x = g.add(layer, x);}.
 * Shapes are inferred and parameters created as layers are added, from a seeded RNG.
 */
public final class GraphBuilder {
  private final List<Node> nodes = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private final SplittableRandom rng;
  private final List<Node> inputs = new ArrayList<>();

  public GraphBuilder(long seed) {
    this.rng = new SplittableRandom(seed);
  }

  /**
   * Declares a model input with a per-sample shape (e.g. H, W, C); a model may have several, kept
   * in declaration order.
   */
  public Node input(String name, int... shape) {
    Node in = add(new Input(name, shape));
    inputs.add(in);
    return in;
  }

  /**
   * Appends {@code layer} applied to {@code inputs}; infers its shape and builds its parameters.
   */
  public Node add(Layer layer, Node... inputs) {
    if (!names.add(layer.name()))
      throw new IllegalArgumentException("duplicate layer name '" + layer.name() + "'");
    for (Node n : inputs) {
      if (!nodes.contains(n))
        throw new IllegalArgumentException(
            "layer '" + layer.name() + "': input '" + n.name() + "' is not part of this graph");
    }
    if (layer.arity() >= 0 && inputs.length != layer.arity() && !(layer instanceof Input)) {
      throw new ShapeException(
          layer.name(), "expects " + layer.arity() + " input(s), got " + inputs.length);
    }
    int[][] shapes = new int[inputs.length][];
    for (int i = 0; i < inputs.length; i++) shapes[i] = inputs[i].shape();
    int[] out = layer.outputShape(shapes);
    layer.build(shapes, rng);
    Node node = new Node(layer, Arrays.asList(inputs), out);
    nodes.add(node);
    return node;
  }

  /**
   * The model ending at {@code outputs} (in that order); nodes that feed none are dropped, and
   * every declared input must feed one.
   */
  public Model build(Node... outputs) {
    if (inputs.isEmpty()) throw new IllegalStateException("no input declared");
    if (outputs.length == 0) throw new IllegalArgumentException("no output given");
    for (Node o : outputs) {
      if (!nodes.contains(o))
        throw new IllegalArgumentException("output '" + o.name() + "' is not part of this graph");
    }
    return new Model(inputs, List.of(outputs), nodes);
  }
}
