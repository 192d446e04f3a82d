package org.qat4j.quant;

import java.util.Map;
import org.qat4j.core.Layer;

/**
 * How one layer is quantized: which of its params get which weight {@link Quantizer}, and the
 * quantizer of its output (null leaves the output float, e.g. when a following layer quantizes).
 * Implement it to quantize a layer your own way; pass it to {@link AnnotatedModel#annotate}.
 */
public interface QuantizeConfig {
  /** Param name (e.g. "kernel") → weight quantizer; empty for none. */
  Map<String, Quantizer> weightQuantizers(Layer layer);

  /** The output quantizer, or null. */
  Quantizer outputQuantizer(Layer layer);
}
