package org.qat4j.core;

/** Builder for a chain of layers: {@code new Sequential("input", 28, 28, 1).add(...).build()}. */
public final class Sequential {
  private final GraphBuilder graph;
  private Node last;

  public Sequential(String inputName, int... inputShape) {
    this(0L, inputName, inputShape);
  }

  public Sequential(long seed, String inputName, int... inputShape) {
    graph = new GraphBuilder(seed);
    last = graph.input(inputName, inputShape);
  }

  public Sequential add(Layer layer) {
    last = graph.add(layer, last);
    return this;
  }

  public Model build() {
    return graph.build(last);
  }
}
