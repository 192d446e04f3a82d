package org.qat4j.core;

import java.util.List;

/**
 * A layer applied to its input nodes inside a {@link Model}; carries the inferred per-sample shape.
 */
public final class Node {
  private final Layer layer;
  private final List<Node> inputs;
  private final int[] shape;

  Node(Layer layer, List<Node> inputs, int[] shape) {
    this.layer = layer;
    this.inputs = List.copyOf(inputs);
    this.shape = shape.clone();
  }

  public Layer layer() {
    return layer;
  }

  public String name() {
    return layer.name();
  }

  public List<Node> inputs() {
    return inputs;
  }

  /** Per-sample output shape (no batch dimension). */
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public String toString() {
    return layer + Shapes.str(shape);
  }
}
