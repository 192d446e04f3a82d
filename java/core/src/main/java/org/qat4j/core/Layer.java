package org.qat4j.core;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One node type of the graph: forward and backward side by side. Shapes passed to {@link
 * #outputShape} and {@link #build} are per sample (no batch dimension, NHWC for images); tensors
 * passed to {@link #forward} carry the batch first. A layer instance belongs to one model and
 * caches what backward needs from the last forward call.
 */
public abstract class Layer {
  private final String name;

  protected Layer(String name) {
    if (name == null || name.isEmpty())
      throw new IllegalArgumentException("layer name must be non-empty");
    this.name = name;
  }

  public final String name() {
    return name;
  }

  /** Registry type name, e.g. "Conv2D". */
  public abstract String type();

  /**
   * Output shape for the given per-sample input shapes; throws {@link ShapeException} naming this
   * layer.
   */
  public abstract int[] outputShape(int[]... inputShapes);

  /** Creates the parameters once the input shapes are known; called once, in graph order. */
  public void build(int[][] inputShapes, SplittableRandom rng) {}

  /** Computes the batch output. The returned tensor may be reused by the next call. */
  public abstract Tensor forward(Tensor[] inputs, ExecContext ctx);

  /**
   * Given dLoss/dOutput of the last forward call, writes (overwrites) every trainable parameter's
   * gradient and returns dLoss/dInput for each input, in input order.
   */
  public abstract Tensor[] backward(Tensor gradOutput, ExecContext ctx);

  /**
   * As {@link #backward(Tensor, ExecContext)} when only inputs with {@code needInput[i]} need a
   * gradient: the layer may return null for the others and skip their cost (the first convolution
   * of a model, whose input gradient nobody reads). Parameter gradients are always written.
   */
  public Tensor[] backward(Tensor gradOutput, ExecContext ctx, boolean[] needInput) {
    return backward(gradOutput, ctx);
  }

  /** Parameters in a stable order; empty for parameter-free layers. */
  public List<Param> params() {
    return List.of();
  }

  /**
   * Constructor arguments as JSON (excluding name and weights), the inverse of the registry
   * factory.
   */
  public JsonObject config() {
    return new JsonObject();
  }

  /**
   * A fresh, unbuilt layer of the same type, name and settings, from the layer's own fields (the
   * QAT transform copies layers through it and then copies the param values). Every registered
   * layer type overrides it; LayerConformanceTest runs each one through QAT.
   */
  public Layer copy() {
    throw new UnsupportedOperationException(
        "layer '"
            + name
            + "' ("
            + type()
            + ") cannot be copied: it does not override Layer.copy()");
  }

  /** Number of inputs this layer takes, or -1 for any number ≥ 1. */
  public int arity() {
    return 1;
  }

  protected final ShapeException shapeError(String message) {
    return new ShapeException(name, message);
  }

  protected final int[] single(int[][] inputShapes) {
    if (inputShapes.length != 1) throw shapeError("expects 1 input, got " + inputShapes.length);
    return inputShapes[0];
  }

  @Override
  public String toString() {
    return type() + "('" + name + "')";
  }
}
