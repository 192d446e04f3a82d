package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.*;
import static org.qat4j.quant.layers.ConvBnFixtures.build;
import static org.qat4j.quant.layers.ConvBnFixtures.convBn;
import static org.qat4j.quant.layers.ConvBnFixtures.disable;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * ConvBatchNorm against the float chains it stands for (Conv2D, BatchNormalization, activation) and
 * against the folded conv it exports; its fused pass against separate passes.
 */
class ConvBatchNormParityTest {

  /** A float Conv2D (3×3, bias) with {@code l}'s kernel and bias, built for input {@code in}. */
  private static Conv2D twinConv(ConvBatchNorm l, int... in) {
    Conv2D ref = new Conv2D("r", l.channels(), 3, 3);
    build(ref, new SplittableRandom(9), in);
    ref.kernel().value().copyFrom(l.kernel().value());
    ref.bias().value().copyFrom(l.bias().value());
    return ref;
  }

  /** A BatchNormalization with {@code l}'s gamma, beta, moving mean and variance. */
  private static BatchNormalization twinBn(ConvBatchNorm l, SplittableRandom rng, int... in) {
    BatchNormalization bn = new BatchNormalization("b");
    build(bn, rng, in);
    for (int i = 0; i < 4; i++)
      bn.params().get(i).value().copyFrom(l.batchNorm().params().get(i).value());
    return bn;
  }

  @Test
  void convBnMatchesFloatConvThenBn() {
    SplittableRandom rng = new SplittableRandom(4);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 3, 3, 3).useBias(false), true, Activation.NONE, rng, 5, 5, 2);
    disable(l);
    Conv2D ref = twinConv(l, 5, 5, 2);
    BatchNormalization bn = twinBn(l, rng, 3, 3, 3);
    Tensor x = GradientCheck.random(rng, 2, 5, 5, 2);
    for (boolean training : new boolean[] {false, true}) {
      ExecContext ctx = training ? ExecContext.training(1) : ExecContext.inference();
      float[] want = bn.forward(new Tensor[] {ref.forward(new Tensor[] {x}, ctx)}, ctx).toArray();
      float[] got = l.forward(new Tensor[] {x}, ctx).toArray();
      assertArrayEquals(want, got, 1e-4f, "training=" + training);
    }
  }

  @Test
  void convBnBatchStatsMatchesCoreChainForwardAndBackward() {
    SplittableRandom rng = new SplittableRandom(10);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 4, 3, 3).useBias(false), true, Activation.RELU6, rng, 6, 6, 2);
    disable(l);
    Conv2D conv = twinConv(l, 6, 6, 2);
    BatchNormalization bn = twinBn(l, rng, 4, 4, 4);
    ReLU6 relu = new ReLU6("r6");
    build(relu, rng, 4, 4, 4);
    Tensor x = GradientCheck.random(rng, 3, 6, 6, 2);
    for (int i = 0; i < x.size(); i++) x.set(i, 3 * x.get(i));
    ExecContext ctx = ExecContext.training(1);
    Tensor want =
        relu.forward(
            new Tensor[] {bn.forward(new Tensor[] {conv.forward(new Tensor[] {x}, ctx)}, ctx)},
            ctx);
    assertArrayEquals(want.toArray(), l.forward(new Tensor[] {x}, ctx).toArray(), 2e-6f);
    assertArrayEquals(
        bn.movingMean().value().toArray(), l.batchNorm().movingMean().value().toArray(), 1e-6f);
    assertArrayEquals(
        bn.movingVariance().value().toArray(),
        l.batchNorm().movingVariance().value().toArray(),
        1e-6f);
    Tensor g = GradientCheck.random(rng, 3, 4, 4, 4);
    Tensor dxWant = conv.backward(bn.backward(relu.backward(g, ctx)[0], ctx)[0], ctx)[0];
    assertArrayEquals(dxWant.toArray(), l.backward(g, ctx)[0].toArray(), 2e-6f);
    assertArrayEquals(conv.kernel().grad().toArray(), l.kernel().grad().toArray(), 1e-5f);
    assertArrayEquals(bn.gamma().grad().toArray(), l.batchNorm().gamma().grad().toArray(), 1e-5f);
    assertArrayEquals(bn.beta().grad().toArray(), l.batchNorm().beta().grad().toArray(), 1e-5f);
    assertArrayEquals(
        conv.bias().grad().toArray(),
        l.bias().grad().toArray(),
        1e-5f,
        "BN output does not depend on the bias");
  }

  @Test
  void batchStatsWithWeightFakeQuantIsBnOfTheUnscaledQuantizedConv() {
    SplittableRandom rng = new SplittableRandom(14);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 4, 3, 3).useBias(false), true, Activation.NONE, rng, 6, 6, 2);
    l.outputQuantizer().setEnabled(false);
    BatchNormalization bn = new BatchNormalization("b");
    build(bn, rng, 4, 4, 4);
    for (int i = 0; i < 4; i++)
      bn.params().get(i).value().copyFrom(l.batchNorm().params().get(i).value());
    float[] sf = l.foldScale(), b = l.bias().value().toArray();
    Tensor x = GradientCheck.random(rng, 3, 6, 6, 2);
    ExecContext ctx = ExecContext.training(1);
    float[] got = l.forward(new Tensor[] {x}, ctx).toArray();
    Conv2D ref = new Conv2D("r", 4, 3, 3).useBias(false);
    build(ref, new SplittableRandom(9), 6, 6, 2);
    ref.kernel().value().copyFrom(ConvBatchNorm.kernelOf(l.conv()).value());
    Tensor u = ref.forward(new Tensor[] {x}, ctx).copy();
    for (int i = 0; i < u.size(); i++) u.set(i, u.get(i) / sf[i % 4] + b[i % 4]);
    assertArrayEquals(bn.forward(new Tensor[] {u}, ctx).toArray(), got, 2e-5f);
    assertArrayEquals(
        bn.movingVariance().value().toArray(),
        l.batchNorm().movingVariance().value().toArray(),
        1e-6f);
  }

  /**
   * MovingAverageQuantizer's rule without the min/max shortcut: forces the layer's unfused path.
   */
  private record WholeBatchRule(Quantizer r) implements Quantizer {
    @Override
    public int numBits() {
      return r.numBits();
    }

    @Override
    public boolean narrowRange() {
      return r.narrowRange();
    }

    @Override
    public boolean symmetric() {
      return r.symmetric();
    }

    @Override
    public boolean perAxis() {
      return r.perAxis();
    }

    @Override
    public void observe(FloatBuffer x, int size, float[] min, float[] max, boolean first) {
      r.observe(x, size, min, max, first);
    }
  }

  /** The same ConvBatchNorm, with the quantizers' fused min/max shortcut or ({@code whole}) not. */
  private static ConvBatchNorm fusedOrNot(Activation act, boolean frozen, boolean whole) {
    SplittableRandom rng = new SplittableRandom(11);
    Quantizer out =
        !whole ? MovingAverageQuantizer.int8() : new WholeBatchRule(MovingAverageQuantizer.int8());
    Quantizer w =
        !whole
            ? LastValueQuantizer.int8Weights(true)
            : new WholeBatchRule(LastValueQuantizer.int8Weights(true));
    ConvBatchNorm l =
        new ConvBatchNorm(
            new Conv2D("c", 3, 3, 3).useBias(false),
            true,
            new BatchNormalization("bn"),
            act,
            w,
            out);
    build(l, rng, 5, 5, 2);
    l.batchNorm().freeze(frozen);
    return l;
  }

  @Test
  void fusedOutputPassEqualsSeparatePasses() {
    for (Activation act : Activation.values()) {
      for (boolean frozen : new boolean[] {false, true}) {
        ConvBatchNorm[] ls = {fusedOrNot(act, frozen, false), fusedOrNot(act, frozen, true)};
        SplittableRandom rng = new SplittableRandom(12);
        for (int step = 0; step < 3; step++) {
          Tensor x = GradientCheck.random(rng, 2, 5, 5, 2),
              g = GradientCheck.random(rng, 2, 3, 3, 3);
          ExecContext ctx = ExecContext.training(step);
          float[] y0 = ls[0].forward(new Tensor[] {x}, ctx).toArray(),
              y1 = ls[1].forward(new Tensor[] {x}, ctx).toArray();
          String at = act + " frozen=" + frozen + " step " + step;
          assertArrayEquals(y1, y0, 0f, at);
          assertArrayEquals(ls[1].outputQuantizer().max(), ls[0].outputQuantizer().max(), 0f, at);
          assertArrayEquals(ls[1].weightQuantizer().max(), ls[0].weightQuantizer().max(), 0f, at);
          assertArrayEquals(
              ls[1].backward(g, ctx)[0].toArray(), ls[0].backward(g, ctx)[0].toArray(), 0f, at);
          for (int p = 0; p < ls[0].params().size(); p++) {
            Param a = ls[0].params().get(p), b = ls[1].params().get(p);
            assertArrayEquals(b.value().toArray(), a.value().toArray(), 0f, at + " " + a.name());
            if (a.trainable())
              assertArrayEquals(
                  b.grad().toArray(), a.grad().toArray(), 0f, at + " grad " + a.name());
          }
        }
      }
    }
  }

  @Test
  void frozenOutputIsTheExportedFoldedConv() {
    SplittableRandom rng = new SplittableRandom(13);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 4, 3, 3).useBias(false), true, Activation.RELU6, rng, 5, 5, 2);
    Tensor x = GradientCheck.random(rng, 2, 5, 5, 2);
    l.forward(new Tensor[] {x}, ExecContext.training(1));
    l.batchNorm().freeze(true);
    float[] got = l.forward(new Tensor[] {x}, ExecContext.training(2)).toArray();
    Conv2D ref = new Conv2D("r", 4, 3, 3).activation(Activation.RELU6);
    build(ref, new SplittableRandom(9), 5, 5, 2);
    Tensor fk = l.foldedKernel();
    var grids = l.weightQuantizer().grids();
    for (int i = 0; i < fk.size(); i++)
      ref.kernel().value().set(i, FakeQuant.quantizeInv(fk.get(i), grids[i % 4]));
    ref.bias().value().copyFrom(l.foldedBias());
    Tensor y = ref.forward(new Tensor[] {x}, ExecContext.inference());
    var out = l.outputQuantizer().grids()[0];
    for (int i = 0; i < y.size(); i++)
      assertEquals(FakeQuant.quantizeVars(y.get(i), out), got[i], 0f, "index " + i);
    assertArrayEquals(
        got,
        l.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
        0f,
        "inference = frozen training");
  }

  @Test
  void foldedKernelTrainingSawIsTheExportedOne() {
    SplittableRandom rng = new SplittableRandom(5);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 4, 3, 3).useBias(false), false, Activation.RELU, rng, 5, 5, 2);
    l.forward(new Tensor[] {GradientCheck.random(rng, 2, 5, 5, 2)}, ExecContext.training(1));
    l.forward(new Tensor[] {GradientCheck.random(rng, 2, 5, 5, 2)}, ExecContext.inference());
    Tensor used = ConvBatchNorm.kernelOf(l.conv()).value();
    FakeQuantizer wq = l.weightQuantizer();
    Tensor expect = Tensor.zeros(used.shape());
    var grids = wq.grids();
    Tensor fk = l.foldedKernel();
    for (int i = 0; i < fk.size(); i++)
      expect.set(i, FakeQuant.quantizeInv(fk.get(i), grids[i % 4]));
    assertArrayEquals(expect.toArray(), used.toArray(), 0f);
    // Symmetric narrow grid: every used weight is an integer multiple of max|w_fold[c]|/127.
    for (int i = 0; i < used.size(); i++) {
      float q = used.get(i) / grids[i % 4].scale();
      assertEquals(Math.rint(q), q, 1e-3);
      assertTrue(Math.abs(q) <= 127.001f);
    }
  }
}
