package org.qat4j.quant.lower;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.layers.BatchNormFold;
import org.qat4j.quant.layers.ConvBatchNorm;

/** There is one BatchNorm fold: QAT training and int8 export use the float export's constants. */
class BatchNormFoldTest {
  private static void fill(Param p, SplittableRandom r, float lo, float hi) {
    Tensor t = p.value();
    for (int i = 0; i < t.size(); i++) t.set(i, lo + (hi - lo) * (float) r.nextDouble());
  }

  private static Model convBn(long seed) {
    Model m =
        new Sequential(1, "input", 5, 5, 3)
            .add(new Conv2D("conv", 4, 3, 3).padding(Padding.SAME))
            .add(new BatchNormalization("bn"))
            .add(new ReLU("relu"))
            .build();
    SplittableRandom r = new SplittableRandom(seed);
    for (Node n : m.nodes()) {
      if (n.layer() instanceof Conv2D c) fill(c.bias(), r, -0.5f, 0.5f);
      if (n.layer() instanceof BatchNormalization bn) {
        fill(bn.gamma(), r, 0.3f, 3f);
        fill(bn.beta(), r, -1f, 1f);
        fill(bn.movingMean(), r, -0.7f, 0.7f);
        fill(bn.movingVariance(), r, 1e-3f, 3f);
      }
    }
    return m;
  }

  @Test
  void floatExportAndQatFoldAreBitIdentical() {
    for (long seed = 1; seed <= 20; seed++) {
      Model f = convBn(seed);
      LoweredGraph g = FloatLowering.lower(f);
      OpSpec conv = g.ops().get(0);
      assertEquals(OpKind.CONV_2D, conv.kind());
      float[] ohwi = (float[]) g.tensor(conv.inputs()[1]).data();
      float[] bias = (float[]) g.tensor(conv.inputs()[2]).data();
      QatModel q = Quantize.model(f);
      ConvBatchNorm cbn = (ConvBatchNorm) q.model().layer("conv");
      assertNotNull(cbn.bias(), "the conv bias is kept through QAT");
      float[] hwio = cbn.foldedKernel().toArray();
      // OHWI (o, y, x, i) = HWIO (y, x, i, o); 4 outputs, 3×3 kernel, 3 inputs.
      for (int o = 0; o < 4; o++)
        for (int k = 0; k < 27; k++)
          assertEquals(
              Float.floatToIntBits(hwio[k * 4 + o]),
              Float.floatToIntBits(ohwi[o * 27 + k]),
              "seed " + seed + " weight " + o + "/" + k);
      assertArrayEquals(cbn.foldedBias(), bias, 0f, "seed " + seed);
    }
  }

  @Test
  void foldRoundsEachStepInFloat32() {
    BatchNormalization bn = (BatchNormalization) convBn(3).layer("bn");
    BatchNormFold fold = BatchNormFold.of(bn);
    for (int c = 0; c < fold.channels(); c++) {
      float gamma = bn.gamma().value().get(c), var = bn.movingVariance().value().get(c);
      float rsqrt = (float) (1.0 / Math.sqrt(var + bn.epsilon()));
      assertEquals(gamma * rsqrt, fold.multiplier()[c], 0f);
      float mean = bn.movingMean().value().get(c);
      assertEquals(bn.beta().value().get(c) - mean * fold.multiplier()[c], fold.shift()[c], 0f);
    }
    float[] b = {0.25f, -0.5f, 1f, 2f};
    float[] fb = fold.bias(b);
    for (int c = 0; c < 4; c++)
      assertEquals(b[c] * fold.multiplier()[c] + fold.shift()[c], fb[c], 0f);
    assertArrayEquals(fold.shift(), fold.bias(null), 0f);
  }

  @Test
  void channelMismatchIsNamed() {
    BatchNormFold fold = BatchNormFold.of((BatchNormalization) convBn(1).layer("bn"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> fold.weights(new float[6], new int[] {2, 3}, 1));
    assertTrue(e.getMessage().contains("BN has 4 channels, weights have 3"), e.getMessage());
  }
}
