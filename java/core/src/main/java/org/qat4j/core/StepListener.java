package org.qat4j.core;

/**
 * Observer of a {@link Model}'s passes, step by step in execution order, for profiling: a step is
 * one node, or a chain the model runs fused in training (BN → ReLU/ReLU6 → optional MaxPool2D).
 * Called on the thread that runs the pass.
 */
public interface StepListener {
  /**
   * After the step over {@code first} … {@code last} (the same node unless fused, nodes in {@link
   * Model#nodes()} order). A backward step includes adding its input gradients into the sums of
   * nodes that feed several consumers.
   */
  void stepDone(Node first, Node last, boolean backward);

  /** Whether training passes run the fused chains (true), or every layer on its own. */
  default boolean fuse() {
    return true;
  }
}
