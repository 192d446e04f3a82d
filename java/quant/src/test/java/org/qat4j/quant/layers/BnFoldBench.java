package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.quant.quantizers.FakeQuant;

/**
 * Per-pass cost of the fused BN-fold passes next to the core BatchNormalization on the reference
 * CNN's first activation (64×26×26×32), interleaved; prints ms per call. {@code -Dtest=BnFoldBench
 * -Dtest.excludedGroups=device}.
 */
@Tag("slow")
class BnFoldBench {
  @Test
  void passes() {
    SplittableRandom rng = new SplittableRandom(1);
    int c = 32;
    Tensor z = GradientCheck.random(rng, 64, 26, 26, c),
        g = GradientCheck.random(rng, 64, 26, 26, c),
        out = Tensor.zeros(z.shape());
    float[] mul = new float[c], add = new float[c], mean = new float[c];
    for (int i = 0; i < c; i++) {
      mul[i] = 1.1f;
      add[i] = 0.1f;
    }
    FakeQuant.Nudged n = FakeQuant.nudge(-1f, 2f, 8, false);
    BatchNormalization bn = new BatchNormalization("bn");
    bn.build(new int[][] {{26, 26, c}}, rng);
    String[] names = {
      "stats(moments+range)",
      "stats(range)",
      "affineActQuant",
      "gradSums",
      "bnInputGrad",
      "maskAndSum",
      "coreBN fwd",
      "coreBN bwd",
      "affineActivate"
    };
    double[] t = new double[names.length];
    BnFold.Window w = BnFold.window(Activation.RELU, n);
    for (int round = 0; round < 12; round++) {
      for (int k = 0; k < names.length; k++) {
        long t0 = System.nanoTime();
        for (int rep = 0; rep < 5; rep++) {
          switch (k) {
            case 0 -> BnFold.stats(z, c, true, true);
            case 1 -> BnFold.stats(z, c, false, true);
            case 2 -> BnFold.affineActQuant(z, out, mul, add, Activation.RELU, n);
            case 3 -> BnFold.gradSums(g, z, mean, mul, add, w, null);
            case 4 -> BnFold.bnInputGrad(g, z, mean, mul, mul, add, mul, add, w, out);
            case 5 -> BnFold.maskAndSum(g, z, add, w, out, c);
            case 6 -> bn.forward(new Tensor[] {z}, ExecContext.training(1));
            case 7 -> bn.backward(g, ExecContext.training(1));
            default -> Elementwise.affineActivate(z, out, mul, add, Activation.RELU);
          }
        }
        if (round >= 2) t[k] += (System.nanoTime() - t0) / 5e6;
      }
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < names.length; k++)
      b.append(String.format(Locale.ROOT, "%s %.2f ms%n", names[k], t[k] / 10));
    System.out.print(b);
    assertTrue(t[0] > 0);
  }
}
