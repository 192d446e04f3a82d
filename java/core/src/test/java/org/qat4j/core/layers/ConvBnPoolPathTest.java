package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * When Model runs Conv2D → BN → ReLU/ReLU6 → MaxPool2D as one {@link ConvBnPool} (a training pass
 * with the Vector API, a first small conv, batch statistics, a 2×2 stride-2 pool) and when it keeps
 * the separate conv: the conv's activation is absent exactly when the chain ran fused. Also:
 * results do not depend on the thread count, the plain path (no Vector API) agrees, and an input
 * gradient asked for anyway matches the separate layers'.
 */
class ConvBnPoolPathTest {
  private final boolean initial = Lanes.vector();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
  }

  private static Conv2D conv3x3() {
    return new Conv2D("conv", 6, 3, 3).padding(Padding.SAME);
  }

  /** Whether a training step of m on x runs the conv fused. */
  private static boolean fused(Model m, Tensor x) {
    Tensor y = m.forward(x, ExecContext.training(1));
    m.backward(Checks.random(3, y.shape()), ExecContext.training(1));
    return m.activation("conv") == null;
  }

  @Test
  void chosenForAFirstSmallConvInTrainingOnly() {
    Lanes.useVector(true);
    Tensor x = Checks.random(1, 2, 8, 8, 1);
    Model m = ConvBnPoolTest.net(1, 8, 8, 1, ConvBnPoolPathTest::conv3x3, false);
    assertEquals(true, fused(m, x));
    m.predict(x);
    assertNotNull(m.activation("conv"), "inference runs the separate layers");
    Lanes.useVector(false);
    assertEquals(false, fused(m, x), "no Vector API: the old path");
  }

  @Test
  void notChosenWhenTheLayersDoNotFit() {
    Lanes.useVector(true);
    Tensor x = Checks.random(1, 2, 8, 8, 3);
    Supplier<Conv2D> big = () -> new Conv2D("conv", 6, 5, 5).padding(Padding.SAME);
    assertEquals(false, fused(ConvBnPoolTest.net(1, 8, 8, 3, big, false), x), "75 taps");
    Supplier<Conv2D> act = () -> conv3x3().activation(Activation.RELU);
    assertEquals(false, fused(ConvBnPoolTest.net(1, 8, 8, 3, act, false), x), "conv activation");
    Model frozen = ConvBnPoolTest.net(1, 8, 8, 3, ConvBnPoolPathTest::conv3x3, false);
    ((BatchNormalization) frozen.layer("bn")).freeze(true);
    assertEquals(false, fused(frozen, x), "frozen BN");
    Model pool3 =
        new Sequential(2, "in", 8, 8, 3)
            .add(conv3x3())
            .add(new BatchNormalization("bn"))
            .add(new ReLU("act"))
            .add(new MaxPool2D("pool", 3, 3).strides(2, 2))
            .add(new Flatten("flat"))
            .add(new Dense("dense", 3))
            .build();
    assertEquals(false, fused(pool3, x), "3x3 pool");
  }

  @Test
  void notChosenWhenTheConvInputNeedsAGradient() {
    Lanes.useVector(true);
    Model m =
        new Sequential(2, "in", 8, 8, 1)
            .add(new Conv2D("conv0", 2, 1, 1))
            .add(conv3x3())
            .add(new BatchNormalization("bn"))
            .add(new ReLU("act"))
            .add(new MaxPool2D("pool", 2, 2))
            .add(new Flatten("flat"))
            .add(new Dense("dense", 3))
            .build();
    assertEquals(false, fused(m, Checks.random(1, 2, 8, 8, 1)));
  }

  /** An input gradient asked for anyway: the conv is recomputed and runs its own backward. */
  @Test
  void inputGradientOnRequestMatchesTheSeparateLayers() {
    Lanes.useVector(true);
    Model fused = ConvBnPoolTest.net(4, 9, 8, 2, ConvBnPoolPathTest::conv3x3, true);
    Model plain = ConvBnPoolTest.net(4, 9, 8, 2, ConvBnPoolPathTest::conv3x3, true);
    plain.listen(ConvBnPoolTest.UNFUSED);
    Tensor x = Checks.random(5, 3, 9, 8, 2), g = Checks.random(6, 3, 3);
    plain.forward(x, ExecContext.training(1));
    float[] want = plain.backward(g, ExecContext.training(1), true).toArray();
    fused.forward(x, ExecContext.training(1));
    assertNull(fused.activation("conv"));
    ConvBnPoolTest.close(want, fused.backward(g, ExecContext.training(1), true).toArray(), "dx");
  }

  @Test
  void plainPathAgreesWithTheFusedOne() {
    Tensor x = Checks.random(7, 3, 10, 10, 1);
    Supplier<Model> net = () -> ConvBnPoolTest.net(8, 10, 10, 1, ConvBnPoolPathTest::conv3x3, true);
    Lanes.useVector(false);
    Map<String, float[]> want = ConvBnPoolTest.step(net.get(), x, 9);
    Lanes.useVector(true);
    Model m = net.get();
    Map<String, float[]> got = ConvBnPoolTest.step(m, x, 9);
    assertNull(m.activation("conv"));
    for (String k : want.keySet())
      if (!k.equals("conv/bias gradient")) ConvBnPoolTest.close(want.get(k), got.get(k), k);
  }

  @Test
  void independentOfTheThreadCount() {
    Lanes.useVector(true);
    int before = Parallel.threads();
    try {
      Map<String, float[]> first = null;
      for (int threads : new int[] {1, 2, 3}) {
        Parallel.setThreads(threads);
        Supplier<Conv2D> c = () -> new Conv2D("conv", 20, 3, 3).padding(Padding.SAME);
        Model m = ConvBnPoolTest.net(10, 12, 12, 2, c, false);
        Map<String, float[]> got = ConvBnPoolTest.step(m, Checks.random(11, 21, 12, 12, 2), 12);
        assertNull(m.activation("conv"));
        if (first == null) first = got;
        // The dense layer after the chain sums its bias gradient per thread: compare the chain.
        for (String k : got.keySet())
          if (!k.startsWith("dense"))
            assertArrayEquals(first.get(k), got.get(k), k + " at " + threads + " threads");
      }
    } finally {
      Parallel.setThreads(before);
    }
  }
}
