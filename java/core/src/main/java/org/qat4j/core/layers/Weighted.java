package org.qat4j.core.layers;

import org.qat4j.core.Layer;
import org.qat4j.core.Param;

/**
 * A layer computing act(x ⊛ kernel + bias) — Conv2D, DepthwiseConv2D, Dense, Conv2DTranspose — seen
 * through what BatchNorm folding, activation fusion and weight quantization need. The params are
 * the layer's own (null before build; the bias is null when the layer has none).
 */
public interface Weighted {
  Param kernel();

  Param bias();

  Activation activation();

  boolean hasBias();

  /**
   * A fresh, unbuilt copy with activation {@code act} and a bias or not (BN folding and activation
   * fusion in the QAT transform); every other setting is this layer's.
   */
  Layer copy(Activation act, boolean withBias);

  /**
   * Calls the visitor method of this layer's concrete type. A new weighted layer implements this
   * with a new {@link Visitor} method, and the compiler then names every visitor that lacks it.
   */
  <R> R accept(Visitor<R> v);

  /** One method per weighted layer type: the exhaustive dispatch over them. */
  interface Visitor<R> {
    R conv2D(Conv2D c);

    R depthwise(DepthwiseConv2D d);

    R dense(Dense d);

    R conv2DTranspose(Conv2DTranspose t);
  }
}
