package org.qat4j.quant.transforms;

import java.util.List;
import java.util.Set;

/**
 * A graph rewrite as data: a chain of layer types (each link a set of alternatives; every
 * intermediate output has exactly one consumer) and what replaces it.
 */
public record Transform(String name, List<Set<String>> chain, Kind kind) {
  /** The replacement. */
  public enum Kind {
    /** conv/dense + BatchNormalization [+ ReLU/ReLU6] → one ConvBatchNorm simulating the folded weights. */
    FOLD_BATCH_NORM,
    /** layer + standalone ReLU/ReLU6 → the layer with the activation fused before its output quantizer. */
    FUSE_ACTIVATION
  }

  private static final Set<String> CONVS = Set.of("Conv2D", "DepthwiseConv2D", "Dense");
  private static final Set<String> RELUS = Set.of("ReLU", "ReLU6");

  /** The default transforms, tried in this order at every node. */
  public static final List<Transform> DEFAULTS = List.of(
      new Transform("ConvBatchNormReLU", List.of(CONVS, Set.of("BatchNormalization"), RELUS), Kind.FOLD_BATCH_NORM),
      new Transform("ConvBatchNorm", List.of(CONVS, Set.of("BatchNormalization")), Kind.FOLD_BATCH_NORM),
      new Transform("ConvReLU", List.of(CONVS, RELUS), Kind.FUSE_ACTIVATION),
      new Transform("AddReLU", List.of(Set.of("Add"), RELUS), Kind.FUSE_ACTIVATION));
}
