package org.qat4j.quant.ptq;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.ir.DType;
import org.qat4j.ir.sim.Simulator;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.calib.MinMaxEstimator;
import org.qat4j.quant.calib.MseEstimator;
import org.qat4j.quant.calib.PercentileEstimator;
import org.qat4j.quant.calib.RangeEstimator;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

class PtqTest {
  /** Gaussian bulk plus a few large outliers. */
  private static Tensor heavyTailed(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(n);
    for (int i = 0; i < n; i++) {
      double u1 = Math.max(r.nextDouble(), 1e-12), u2 = r.nextDouble();
      t.set(i, (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)));
    }
    for (int i = 0; i < 5; i++) t.set(r.nextInt(n), 40f);
    return t;
  }

  private static double quantMse(Tensor x, float[] range) {
    return quantMse(x, range, Float.MAX_VALUE);
  }

  /** Mean squared fake-quant error over the values with |x| below {@code bound}. */
  private static double quantMse(Tensor x, float[] range, float bound) {
    FakeQuant.Nudged g = FakeQuant.nudge(range[0], range[1], 8, false);
    double e = 0;
    int n = 0;
    for (int i = 0; i < x.size(); i++) {
      if (Math.abs(x.get(i)) >= bound) continue;
      double d = FakeQuant.quantizeVars(x.get(i), g) - x.get(i);
      e += d * d;
      n++;
    }
    return e / n;
  }

  private static float[] estimate(RangeEstimator est, Tensor x) {
    RangeEstimator.Accumulator a = est.newAccumulator(8);
    FloatBuffer b = x.buffer();
    a.accept(b, x.size());
    return a.range();
  }

  @Test
  void betterEstimatorsClipOutliersAndLowerError() {
    Tensor x = heavyTailed(1, 200_000);
    float[] mm = estimate(new MinMaxEstimator(), x);
    float[] pc = estimate(new PercentileEstimator(99.99), x);
    float[] ms = estimate(new MseEstimator(), x);
    assertEquals(40f, mm[1]);
    assertTrue(pc[1] < 10f && pc[1] > 2f, "percentile max " + pc[1]);
    assertTrue(pc[0] < 0f && mm[0] <= pc[0]);
    assertTrue(
        quantMse(x, pc, 10f) < quantMse(x, mm, 10f) / 10,
        "percentile resolves the bulk far better");
    assertTrue(quantMse(x, ms) <= quantMse(x, mm), "MSE never worse than min/max");
    assertTrue(ms[1] < mm[1]);
    assertThrows(IllegalArgumentException.class, () -> new PercentileEstimator(40));
  }

  @Test
  void ptqProducesFrozenExportableModelThatMatchesTheSimulator() {
    Model f =
        new Sequential(2, "in", 6, 6, 1)
            .add(new Conv2D("conv", 4, 3, 3).useBias(false))
            .add(new BatchNormalization("bn"))
            .add(new ReLU("relu"))
            .add(new Flatten("flat"))
            .add(new Dense("fc", 3))
            .build();
    SplittableRandom r = new SplittableRandom(3);
    List<Tensor> rep =
        List.of(GradientCheck.random(r, 16, 6, 6, 1), GradientCheck.random(r, 16, 6, 6, 1));
    float[] floatBefore = f.predict(rep.get(0)).toArray();
    for (RangeEstimator est :
        List.of(new MinMaxEstimator(), new PercentileEstimator(99.99), new MseEstimator())) {
      QatModel q = Ptq.quantize(f, rep, est);
      for (FakeQuantizer fq : q.quantizers()) {
        assertFalse(fq.observing(), fq.name());
        if (fq.enabled()) assertTrue(fq.hasRange(), fq.name());
      }
      assertTrue(((ConvBatchNorm) q.model().layer("conv")).batchNorm().frozen());
      // Training-mode passes no longer move anything.
      float[] before = q.model().predict(rep.get(1)).toArray();
      q.model().forward(rep.get(0), ExecContext.training(1));
      assertArrayEquals(before, q.model().predict(rep.get(1)).toArray(), 0f, est.toString());
      var g = Int8Lowering.lower(q, DType.FLOAT32);
      float[] sim = new Simulator(g).runBatchFloat(16, rep.get(1).toArray());
      float outScale = q.rangeOf("fc").grids()[0].scale();
      for (int i = 0; i < sim.length; i++)
        assertEquals(before[i], sim[i], 3 * outScale, est + " at " + i);
    }
    assertArrayEquals(floatBefore, f.predict(rep.get(0)).toArray(), 0f, "float model untouched");
  }
}
