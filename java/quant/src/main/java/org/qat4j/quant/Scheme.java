package org.qat4j.quant;

import org.qat4j.core.Layer;

/** A quantization scheme: quantizer rules per role, the layer registry and int8 deployability. */
public interface Scheme {
  String name();

  /** Kernel quantizer for a Conv2D, DepthwiseConv2D or Dense layer. */
  Quantizer weightQuantizer(Layer layer);

  /** Output (activation) quantizer. */
  Quantizer activationQuantizer();

  /** Model input quantizer. */
  Quantizer inputQuantizer();

  QuantizeRegistry registry();

  /** Null when a model quantized with this scheme can be exported to TFLite int8; else why not. */
  String int8Blocker();
}
