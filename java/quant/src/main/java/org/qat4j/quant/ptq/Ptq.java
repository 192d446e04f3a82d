package org.qat4j.quant.ptq;

import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.quant.Default8Bit;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.Scheme;
import org.qat4j.quant.calib.MinMaxEstimator;
import org.qat4j.quant.calib.RangeEstimator;

/**
 * Post-training quantization: the same quantized-model structure as QAT (BN folded, ranges set and
 * frozen), with activation ranges estimated from representative batches, ready for {@link
 * org.qat4j.quant.lower.Int8Lowering}. The float model is not modified.
 */
public final class Ptq {
  private Ptq() {}

  /** Min/max ranges with the default 8-bit scheme. */
  public static QatModel quantize(Model floatModel, Iterable<Tensor> representative) {
    return quantize(floatModel, representative, new MinMaxEstimator());
  }

  public static QatModel quantize(
      Model floatModel, Iterable<Tensor> representative, RangeEstimator estimator) {
    return quantize(floatModel, representative, estimator, Default8Bit.INSTANCE);
  }

  /**
   * Quantizes every layer with {@code scheme}; activation ranges from {@code estimator}; everything
   * frozen.
   */
  public static QatModel quantize(
      Model floatModel, Iterable<Tensor> representative, RangeEstimator estimator, Scheme scheme) {
    QatModel q = Quantize.model(floatModel, scheme);
    q.freezeBatchNorm();
    q.calibrate(representative, estimator);
    q.freezeObservers();
    return q;
  }

  /**
   * Min/max PTQ of a model with several inputs: each representative batch holds one tensor per
   * input, in {@link Model#inputs()} order.
   */
  public static QatModel quantizeInputs(Model floatModel, Iterable<Tensor[]> representative) {
    QatModel q = Quantize.model(floatModel, Default8Bit.INSTANCE);
    q.freezeBatchNorm();
    q.calibrateInputs(representative, new MinMaxEstimator());
    q.freezeObservers();
    return q;
  }
}
