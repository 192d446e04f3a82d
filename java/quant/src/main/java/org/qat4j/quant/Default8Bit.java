package org.qat4j.quant;

import org.qat4j.core.Layer;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Weighted;
import org.qat4j.quant.quantizers.AllValuesQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * The TFLite int8 scheme: per-axis symmetric narrow-range kernels for Conv2D and DepthwiseConv2D
 * (one scale per output channel, in·mult for depthwise), per-tensor for Dense, Conv2DTranspose and
 * other parameters (PReLU's alpha), asymmetric per-tensor 8-bit activations (moving average) and
 * inputs (all values).
 */
public final class Default8Bit implements Scheme {
  public static final Default8Bit INSTANCE = new Default8Bit();

  private Default8Bit() {}

  @Override
  public String name() {
    return "Default8Bit";
  }

  @Override
  public Quantizer weightQuantizer(Layer layer) {
    // TFMOT quantizes Dense and Conv2DTranspose kernels per tensor (default_8bit registry)
    return LastValueQuantizer.int8Weights(
        layer instanceof Weighted && !(layer instanceof Dense || layer instanceof Conv2DTranspose));
  }

  @Override
  public Quantizer activationQuantizer() {
    return MovingAverageQuantizer.int8();
  }

  @Override
  public Quantizer inputQuantizer() {
    return AllValuesQuantizer.int8();
  }

  @Override
  public QuantizeRegistry registry() {
    return QuantizeRegistry.defaults();
  }

  @Override
  public String int8Blocker() {
    return null;
  }
}
