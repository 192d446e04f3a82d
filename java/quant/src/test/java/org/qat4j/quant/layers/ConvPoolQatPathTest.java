package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.qat4j.quant.layers.QatPoolFixtures.block;
import static org.qat4j.quant.layers.QatPoolFixtures.close;
import static org.qat4j.quant.layers.QatPoolFixtures.net;
import static org.qat4j.quant.layers.QatPoolFixtures.random;
import static org.qat4j.quant.layers.QatPoolFixtures.step;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;

/**
 * When Model runs a QAT ConvBatchNorm → MaxPool2D as one {@link ConvPoolQat} and when not; the
 * plain path, the thread count, ties after quantization and finite differences through the fused
 * pair.
 */
class ConvPoolQatPathTest {
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  private static Conv2D conv3x3() {
    return new Conv2D("conv", 6, 3, 3).padding(Padding.SAME);
  }

  /**
   * Whether one training forward pass of m (fresh) on x ran the block as a ConvPoolQat, which never
   * stores the conv output (other pairs run as a {@link BlockPoolQat}: BlockPoolQatTest).
   */
  private static boolean fused(Model m, Tensor x) {
    m.forward(x, ExecContext.training(1));
    return m.activation("conv") == null && block(m).z == null;
  }

  @Test
  void pathTakenOnlyWhereItApplies() {
    VectorApi.use(true);
    Tensor x = random(1, 2, 8, 8, 1);
    assertEquals(true, fused(net(1, 8, 8, 1, ConvPoolQatPathTest::conv3x3, false), x), "fits");
    Model m = net(1, 8, 8, 1, ConvPoolQatPathTest::conv3x3, false);
    m.predict(x);
    assertEquals(true, m.activation("conv") != null, "inference runs the layers");
    Model frozen = net(1, 8, 8, 1, ConvPoolQatPathTest::conv3x3, false);
    block(frozen).batchNorm().freeze(true);
    assertEquals(false, fused(frozen, x), "frozen BN");
    Supplier<Conv2D> big = () -> new Conv2D("conv", 4, 5, 5);
    assertEquals(false, fused(net(1, 8, 8, 3, big, false), random(2, 2, 8, 8, 3)), "75 taps");
    VectorApi.use(false);
    assertEquals(false, fused(net(1, 8, 8, 1, ConvPoolQatPathTest::conv3x3, false), x), "plain");
  }

  @Test
  void notTakenAfterAConvOrWithoutAnActivation() {
    VectorApi.use(true);
    Model after =
        Quantize.model(
                new Sequential(2, "in", 8, 8, 1)
                    .add(new Conv2D("first", 2, 3, 3).padding(Padding.SAME))
                    .add(conv3x3())
                    .add(new BatchNormalization("bn"))
                    .add(new MaxPool2D("pool", 2, 2))
                    .add(new Flatten("flat"))
                    .add(new Dense("dense", 3))
                    .build())
            .model();
    assertEquals(false, fused(after, random(3, 2, 8, 8, 1)), "a conv before, no activation");
  }

  /** The reference CNN's QAT model runs conv1 → pool1 fused. */
  @Test
  void referenceCnnRunsItsFirstBlockFused() {
    VectorApi.use(true);
    Model m = Quantize.model(Zoo.referenceCnn(1)).model();
    m.forward(random(4, 2, 28, 28, 1), ExecContext.training(1));
    assertNull(m.activation("conv1"), "conv1 ran fused");
  }

  @Test
  void plainPathAgreesWithTheFusedOne() {
    Tensor x = random(7, 3, 10, 10, 1);
    Supplier<Model> net = () -> net(8, 10, 10, 1, ConvPoolQatPathTest::conv3x3, true);
    VectorApi.use(false);
    Map<String, float[]> want = step(net.get(), x, 9);
    VectorApi.use(true);
    Model m = net.get();
    Map<String, float[]> got = step(m, x, 9);
    assertNull(m.activation("conv"));
    for (String k : want.keySet()) close(want.get(k), got.get(k), ConvPoolQatTest.TOL, k);
  }

  @Test
  void independentOfTheThreadCount() {
    VectorApi.use(true);
    int before = Parallel.threads();
    try {
      Map<String, float[]> first = null;
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        Supplier<Conv2D> c = () -> new Conv2D("conv", 20, 3, 3).padding(Padding.SAME);
        Model m = net(10, 12, 12, 2, c, false);
        Map<String, float[]> got = step(m, random(11, 21, 12, 12, 2), 12);
        assertNull(m.activation("conv"));
        if (first == null) first = got;
        // The dense layer after the pair sums its bias gradient per thread: compare the pair.
        for (String k : got.keySet())
          if (!k.startsWith("dense"))
            assertArrayEquals(first.get(k), got.get(k), k + " at " + threads + " threads");
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  /**
   * Central differences through the fused pair with the fake-quants off (quantization is piecewise
   * constant): the BN-fold gradient (kernel through the fold, γ through sf and σ_B, β).
   */
  @Test
  void finiteDifferencesThroughTheFusedPair() {
    VectorApi.use(true);
    for (boolean relu6 : new boolean[] {false, true}) {
      QatModel q = QatPoolFixtures.qat(11, 6, 6, 1, () -> new Conv2D("conv", 5, 3, 3), relu6);
      q.setFakeQuantEnabled(false);
      Model m = q.model();
      Tensor x = random(12, 2, 6, 6, 1), r = random(13, 2, 3);
      m.forward(x, ExecContext.training(1));
      m.backward(r, ExecContext.training(1));
      assertNull(m.activation("conv"), "the block ran fused");
      for (Param p : m.trainableParams()) QatPoolFixtures.paramGradient(m, x, r, p, 1e-3f);
    }
  }
}
