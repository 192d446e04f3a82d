package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.*;
import static org.qat4j.quant.layers.ConvBnFixtures.build;
import static org.qat4j.quant.layers.ConvBnFixtures.convBn;
import static org.qat4j.quant.layers.ConvBnFixtures.disable;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Param;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * Gradient checks and straight-through masks of the QAT layers (ConvBatchNorm, QuantizeWrapper).
 */
class QatLayerGradientTest {

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
      assertEquals(FakeQuant.quantizeVars(lw, grid), inner.value().get(i), 0f);
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
      boolean inside = FakeQuant.passes(fold.get(i), grids[i % 3]);
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
            new Add("a"), Map.of(), Activation.RELU6, MovingAverageQuantizer.int8());
    w.build(new int[][] {{4, 3}, {4, 3}}, rng);
    w.outputQuantizer().setEnabled(false);
    Tensor a = GradientCheck.random(rng, 2, 4, 3), b = GradientCheck.random(rng, 2, 4, 3);
    for (int i = 0; i < a.size(); i++) a.set(i, a.get(i) * 5);
    var r = GradientCheck.check(w, new Tensor[] {a, b}, 1e-3, 40, 2);
    assertTrue(r.maxRelError() < 1e-2, r.toString());
  }
}
