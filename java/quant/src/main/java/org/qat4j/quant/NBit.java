package org.qat4j.quant;

import org.qat4j.core.Layer;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Weighted;
import org.qat4j.quant.quantizers.AllValuesQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * Experimental n-bit scheme (2–8 bit weights and activations, per-axis or per-tensor kernels for
 * convolutions; Dense is always per-tensor). Only 8/8 with per-axis convolutions is deployable to
 * TFLite int8; anything else is for simulation studies.
 */
public record NBit(int weightBits, int activationBits, boolean perAxis) implements Scheme {
  public NBit {
    if (weightBits < 2 || weightBits > 8 || activationBits < 2 || activationBits > 8) {
      throw new IllegalArgumentException(
          "NBit bits must be in 2..8, got weights "
              + weightBits
              + ", activations "
              + activationBits);
    }
  }

  @Override
  public String name() {
    return "NBit(w"
        + weightBits
        + ",a"
        + activationBits
        + (perAxis ? ",per-axis)" : ",per-tensor)");
  }

  @Override
  public Quantizer weightQuantizer(Layer layer) {
    return new LastValueQuantizer(
        weightBits, perAxis && layer instanceof Weighted && !(layer instanceof Dense), true, true);
  }

  @Override
  public Quantizer activationQuantizer() {
    return new MovingAverageQuantizer(
        activationBits, false, false, MovingAverageQuantizer.DEFAULT_DECAY);
  }

  @Override
  public Quantizer inputQuantizer() {
    return new AllValuesQuantizer(activationBits, false, false);
  }

  @Override
  public QuantizeRegistry registry() {
    return QuantizeRegistry.defaults();
  }

  @Override
  public String int8Blocker() {
    if (weightBits != 8 || activationBits != 8) {
      return name() + " is not deployable to TFLite int8: needs 8-bit weights and activations";
    }
    return null;
  }
}
