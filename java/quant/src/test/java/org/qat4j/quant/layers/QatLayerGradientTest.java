package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

class QatLayerGradientTest {
  private static void build(Layer l, SplittableRandom rng, int... inShape) {
    l.build(new int[][] {inShape}, rng);
  }

  private static ConvBatchNorm convBn(
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

  private static void disable(ConvBatchNorm l) {
    l.weightQuantizer().setEnabled(false);
    l.outputQuantizer().setEnabled(false);
  }

  @Test
  void convBnFrozenGradientsWithFakeQuantOff() {
    SplittableRandom rng = new SplittableRandom(1);
    ConvBatchNorm l =
        convBn(
            new Conv2D("c", 3, 3, 3).padding(Padding.SAME).useBias(false),
            true,
            Activation.NONE,
            rng,
            5,
            5,
            2);
    l.batchNorm().freeze(true);
    disable(l);
    var r =
        GradientCheck.check(l, new Tensor[] {GradientCheck.random(rng, 2, 5, 5, 2)}, 1e-2, 40, 3);
    assertTrue(r.maxRelError() < 2e-2, r.toString());
  }

  @Test
  void convBnBatchStatsGradientsWithFakeQuantOff() {
    // No activation: finite differences across ReLU6 kinks are unreliable (the ReLU6 gate is
    // checked against the core layers in convBnBatchStatsMatchesCoreChainForwardAndBackward).
    SplittableRandom rng = new SplittableRandom(2);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 3, 3, 3).useBias(false), true, Activation.NONE, rng, 6, 6, 2);
    disable(l);
    var r =
        GradientCheck.check(l, new Tensor[] {GradientCheck.random(rng, 3, 6, 6, 2)}, 1e-2, 40, 5);
    assertTrue(r.maxRelError() < 2e-2, r.toString());
  }

  @Test
  void depthwiseAndDenseBnGradients() {
    SplittableRandom rng = new SplittableRandom(3);
    ConvBatchNorm dw =
        convBn(
            new DepthwiseConv2D("d", 3, 3).depthMultiplier(2).useBias(false),
            true,
            Activation.NONE,
            rng,
            5,
            5,
            2);
    assertEquals(4, dw.weightQuantizer().channels(), "depthwise per-axis = in·mult channels");
    disable(dw);
    var r =
        GradientCheck.check(dw, new Tensor[] {GradientCheck.random(rng, 2, 5, 5, 2)}, 1e-2, 40, 7);
    assertTrue(r.maxRelError() < 2e-2, r.toString());
    ConvBatchNorm d = convBn(new Dense("f", 4).useBias(false), true, Activation.NONE, rng, 6);
    disable(d);
    d.batchNorm().freeze(true);
    r = GradientCheck.check(d, new Tensor[] {GradientCheck.random(rng, 5, 6)}, 1e-2, 40, 9);
    assertTrue(r.maxRelError() < 2e-2, r.toString());
  }

  @Test
  void convBnMatchesFloatConvThenBn() {
    SplittableRandom rng = new SplittableRandom(4);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 3, 3, 3).useBias(false), true, Activation.NONE, rng, 5, 5, 2);
    disable(l);
    Conv2D ref = new Conv2D("r", 3, 3, 3);
    build(ref, new SplittableRandom(9), 5, 5, 2);
    ref.kernel().value().copyFrom(l.kernel().value());
    ref.bias().value().copyFrom(l.bias().value());
    BatchNormalization bn = new BatchNormalization("b");
    build(bn, rng, 3, 3, 3);
    for (int i = 0; i < 4; i++)
      bn.params().get(i).value().copyFrom(l.batchNorm().params().get(i).value());
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
    Conv2D conv = new Conv2D("r", 4, 3, 3);
    build(conv, new SplittableRandom(9), 6, 6, 2);
    conv.kernel().value().copyFrom(l.kernel().value());
    conv.bias().value().copyFrom(l.bias().value());
    BatchNormalization bn = new BatchNormalization("b");
    build(bn, rng, 4, 4, 4);
    for (int i = 0; i < 4; i++)
      bn.params().get(i).value().copyFrom(l.batchNorm().params().get(i).value());
    org.qat4j.core.layers.ReLU6 relu = new org.qat4j.core.layers.ReLU6("r6");
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
  private record WholeBatchRule(org.qat4j.quant.Quantizer r) implements org.qat4j.quant.Quantizer {
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
    public void observe(java.nio.FloatBuffer x, int size, float[] min, float[] max, boolean first) {
      r.observe(x, size, min, max, first);
    }
  }

  @Test
  void fusedOutputPassEqualsSeparatePasses() {
    for (Activation act : Activation.values()) {
      for (boolean frozen : new boolean[] {false, true}) {
        ConvBatchNorm[] ls = new ConvBatchNorm[2];
        for (int k = 0; k < 2; k++) {
          SplittableRandom rng = new SplittableRandom(11);
          org.qat4j.quant.Quantizer out =
              k == 0
                  ? MovingAverageQuantizer.int8()
                  : new WholeBatchRule(MovingAverageQuantizer.int8());
          org.qat4j.quant.Quantizer w =
              k == 0
                  ? LastValueQuantizer.int8Weights(true)
                  : new WholeBatchRule(LastValueQuantizer.int8Weights(true));
          ls[k] =
              new ConvBatchNorm(
                  new Conv2D("c", 3, 3, 3).useBias(false),
                  true,
                  new BatchNormalization("bn"),
                  act,
                  w,
                  out);
          build(ls[k], rng, 5, 5, 2);
          ls[k].batchNorm().freeze(frozen);
        }
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
      ref.kernel()
          .value()
          .set(i, org.qat4j.quant.quantizers.FakeQuant.quantizeInv(fk.get(i), grids[i % 4]));
    ref.bias().value().copyFrom(l.foldedBias());
    Tensor y = ref.forward(new Tensor[] {x}, ExecContext.inference());
    var out = l.outputQuantizer().grids()[0];
    for (int i = 0; i < y.size(); i++)
      assertEquals(
          org.qat4j.quant.quantizers.FakeQuant.quantizeVars(y.get(i), out),
          got[i],
          0f,
          "index " + i);
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
      expect.set(i, org.qat4j.quant.quantizers.FakeQuant.quantizeInv(fk.get(i), grids[i % 4]));
    assertArrayEquals(expect.toArray(), used.toArray(), 0f);
    // Symmetric narrow grid: every used weight is an integer multiple of max|w_fold[c]|/127.
    for (int i = 0; i < used.size(); i++) {
      float q = used.get(i) / grids[i % 4].scale();
      assertEquals(Math.rint(q), q, 1e-3);
      assertTrue(Math.abs(q) <= 127.001f);
    }
  }

  @Test
  void wrapperGradientsWithQuantOffAndSteMaskWithQuantOn() {
    SplittableRandom rng = new SplittableRandom(6);
    QuantizeWrapper w =
        new QuantizeWrapper(
            new Dense("d", 3),
            Map.of("kernel", LastValueQuantizer.int8Weights(false)),
            Activation.NONE,
            MovingAverageQuantizer.int8());
    build(w, rng, 4);
    w.weightQuantizers().get("kernel").setEnabled(false);
    w.outputQuantizer().setEnabled(false);
    Tensor x = GradientCheck.random(rng, 5, 4);
    var r = GradientCheck.check(w, new Tensor[] {x}, 1e-2, 40, 1);
    assertTrue(r.maxRelError() < 1e-2, r.toString());

    // STE: with a narrow fixed range, clipped weights get zero gradient, others the plain dense
    // gradient.
    FakeQuantizer kq = w.weightQuantizers().get("kernel");
    kq.setEnabled(true);
    kq.setObserving(false);
    kq.setRange(new float[] {-0.3f}, new float[] {0.3f});
    ExecContext ctx = ExecContext.training(1);
    w.forward(new Tensor[] {x}, ctx);
    Tensor g = GradientCheck.random(rng, 5, 3);
    w.backward(g, ctx);
    Param inner = ((Dense) w.inner()).kernel();
    Param latent = w.latent("kernel");
    var grid = kq.grids()[0];
    int clipped = 0;
    for (int i = 0; i < latent.value().size(); i++) {
      float lw = latent.value().get(i);
      boolean inside = lw >= grid.nudgedMin() && lw <= grid.nudgedMax();
      if (!inside) clipped++;
      assertEquals(inside ? inner.grad().get(i) : 0f, latent.grad().get(i), 0f, "index " + i);
      assertEquals(
          org.qat4j.quant.quantizers.FakeQuant.quantizeVars(lw, grid), inner.value().get(i), 0f);
    }
    assertTrue(clipped > 0, "test needs clipped weights");
  }

  @Test
  void convBnSteMaskOnFoldedWeights() {
    SplittableRandom rng = new SplittableRandom(8);
    ConvBatchNorm l =
        convBn(new Conv2D("c", 3, 3, 3).useBias(false), false, Activation.NONE, rng, 5, 5, 2);
    l.batchNorm().freeze(true);
    FakeQuantizer wq = l.weightQuantizer();
    wq.observe(l.foldedKernel());
    wq.setObserving(false);
    float[] lo = wq.min(), hi = wq.max();
    for (int c = 0; c < 3; c++) {
      lo[c] *= 0.5f;
      hi[c] *= 0.5f;
    }
    wq.setRange(lo, hi);
    l.outputQuantizer().setEnabled(false);
    ExecContext ctx = ExecContext.training(1);
    l.forward(new Tensor[] {GradientCheck.random(rng, 2, 5, 5, 2)}, ctx);
    l.backward(GradientCheck.random(rng, 2, 3, 3, 3), ctx);
    Param inner = ConvBatchNorm.kernelOf(l.conv());
    float[] sf = l.foldScale();
    Tensor fold = l.foldedKernel();
    var grids = wq.grids();
    int clipped = 0;
    for (int i = 0; i < fold.size(); i++) {
      boolean inside = org.qat4j.quant.quantizers.FakeQuant.passes(fold.get(i), grids[i % 3]);
      if (!inside) clipped++;
      float want = inside ? inner.grad().get(i) * sf[i % 3] : 0f;
      assertEquals(want, l.kernel().grad().get(i), 1e-6f * (1 + Math.abs(want)), "index " + i);
    }
    assertTrue(clipped > 0);
  }

  @Test
  void addReluWrapperGradients() {
    SplittableRandom rng = new SplittableRandom(9);
    QuantizeWrapper w =
        new QuantizeWrapper(
            new org.qat4j.core.layers.Add("a"),
            Map.of(),
            Activation.RELU6,
            MovingAverageQuantizer.int8());
    w.build(new int[][] {{4, 3}, {4, 3}}, rng);
    w.outputQuantizer().setEnabled(false);
    Tensor a = GradientCheck.random(rng, 2, 4, 3), b = GradientCheck.random(rng, 2, 4, 3);
    for (int i = 0; i < a.size(); i++) a.set(i, a.get(i) * 5);
    var r = GradientCheck.check(w, new Tensor[] {a, b}, 1e-3, 40, 2);
    assertTrue(r.maxRelError() < 1e-2, r.toString());
  }
}
