package org.qat4j.core.layers;

import org.qat4j.core.Param;

/**
 * A layer computing act(x ⊛ kernel + bias) — Conv2D, DepthwiseConv2D, Dense — seen through what
 * BatchNorm folding, activation fusion and weight quantization need. The params are the layer's own
 * (null before build; the bias is null when the layer has none).
 */
public interface Weighted {
  Param kernel();

  Param bias();

  Activation activation();
}
