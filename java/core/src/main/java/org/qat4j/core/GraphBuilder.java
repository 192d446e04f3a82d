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
  private Node input;

  public GraphBuilder(long seed) {
    this.rng = new SplittableRandom(seed);
  }

  /** Declares the model input with a per-sample shape (e.g. H, W, C). */
  public Node input(String name, int... shape) {
    if (input != null)
      throw new IllegalStateException("model already has input '" + input.name() + "'");
    input = add(new Input(name, shape));
    return input;
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

  /** The model ending at {@code output}; nodes that do not feed it are dropped. */
  public Model build(Node output) {
    if (input == null) throw new IllegalStateException("no input declared");
    return new Model(input, output, nodes);
  }
}
