package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.qat4j.core.Layer;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/** ConvBatchNorm layers with non-trivial BatchNormalization state, for the QAT layer tests. */
final class ConvBnFixtures {
  private ConvBnFixtures() {}

  static void build(Layer l, SplittableRandom rng, int... inShape) {
    l.build(new int[][] {inShape}, rng);
  }

  static ConvBatchNorm convBn(
      Layer conv, boolean bias, Activation act, SplittableRandom rng, int... in) {
    ConvBatchNorm l =
        new ConvBatchNorm(
            conv,
            bias,
            new BatchNormalization("bn"),
            act,
            LastValueQuantizer.int8Weights(true),
            MovingAverageQuantizer.int8());
    build(l, rng, in);
    // Non-trivial BN state so folding matters.
    for (int c = 0; c < l.channels(); c++) {
      l.batchNorm().gamma().value().set(c, 0.5f + 0.25f * c);
      l.batchNorm().beta().value().set(c, 0.1f * c - 0.2f);
      l.batchNorm().movingMean().value().set(c, 0.05f * c);
      l.batchNorm().movingVariance().value().set(c, 0.7f + 0.3f * c);
      if (l.bias() != null) l.bias().value().set(c, 0.03f * c);
    }
    return l;
  }

  static void disable(ConvBatchNorm l) {
    l.weightQuantizer().setEnabled(false);
    l.outputQuantizer().setEnabled(false);
  }
}
