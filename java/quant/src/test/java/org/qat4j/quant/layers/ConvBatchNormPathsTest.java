package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qat4j.quant.layers.ConvBnFixtures.convBn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.ir.internal.VectorApi;

/**
 * ConvBatchNorm's training step on the Vector API path (native BN-fold passes, the gradient window
 * applied twice instead of stored) against the plain path, bit for bit: the output, the input
 * gradient and every parameter gradient, with live and frozen BN statistics, for each activation.
 * The conv has kh·kw·C = 36 &gt; 32, so both paths convolve with im2col and only the BN-fold passes
 * differ.
 */
class ConvBatchNormPathsTest {
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  @Test
  void vectorStepEqualsPlainStepBitForBit() {
    assertTrue(VectorApi.AVAILABLE, "Surefire runs with --add-modules jdk.incubator.vector");
    for (Activation act : Activation.values())
      for (boolean frozen : new boolean[] {false, true}) {
        List<float[]> plain = step(false, act, frozen), vector = step(true, act, frozen);
        for (int k = 0; k < plain.size(); k++) {
          float[] p = plain.get(k), v = vector.get(k);
          for (int i = 0; i < p.length; i++)
            assertEquals(
                Float.floatToIntBits(p[i]),
                Float.floatToIntBits(v[i]),
                act + " frozen=" + frozen + " array " + k + " at " + i);
        }
      }
  }

  /** Two training steps of a fresh block on the given path: outputs, dx and gradients. */
  private static List<float[]> step(boolean vector, Activation act, boolean frozen) {
    VectorApi.use(vector);
    SplittableRandom rng = new SplittableRandom(31);
    ConvBatchNorm l = convBn(new Conv2D("c", 33, 3, 3).useBias(false), true, act, rng, 9, 9, 4);
    if (frozen) l.batchNorm().freeze(true);
    List<float[]> out = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      Tensor x = GradientCheck.random(rng, 5, 9, 9, 4);
      ExecContext ctx = ExecContext.training(s);
      Tensor y = l.forward(new Tensor[] {x}, ctx);
      out.add(y.toArray());
      Tensor g = GradientCheck.random(rng, y.shape());
      out.add(l.backward(g, ctx, new boolean[] {true})[0].toArray());
      for (Param p : l.params()) if (p.trainable()) out.add(p.grad().toArray());
    }
    return out;
  }
}
