package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.qat4j.quant.layers.QatPoolFixtures.UNFUSED;
import static org.qat4j.quant.layers.QatPoolFixtures.random;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.VectorApi;
import org.qat4j.quant.Quantize;

/**
 * A QAT ConvBatchNorm → 2×2 MaxPool2D that {@link ConvPoolQat} does not take runs as one {@link
 * BlockPoolQat}: bit for bit the two layers run apart (outputs, pooled values, every param value
 * and gradient, moving statistics, quantizer ranges over three training steps), at 1, 2 and 3
 * threads, with the block's input gradient (a conv before) and without (first layer).
 */
class BlockPoolQatTest {
  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  /**
   * in → [conv "pre" → BN → ReLU] → conv "conv" (filters, 3×3, SAME/VALID) → BN → act → pool →
   * flatten → dense, as a QAT model; act null: none.
   */
  private static Model net(
      int seed, int h, int c, int filters, boolean pre, Layer act, Layer pool) {
    Sequential s = new Sequential(seed, "in", h, h, c);
    if (pre) {
      s.add(new Conv2D("pre", 3, 3, 3).padding(Padding.SAME))
          .add(new BatchNormalization("pre_bn"))
          .add(new ReLU("pre_act"));
    }
    s.add(new Conv2D("conv", filters, 3, 3)).add(new BatchNormalization("bn"));
    if (act != null) s.add(act);
    Model f = s.add(pool).add(new Flatten("flat")).add(new Dense("dense", 3)).build();
    Model q = Quantize.model(f).model();
    ((ConvBatchNorm) q.node("conv").layer())
        .outputQuantizer()
        .setRange(new float[] {-1f}, new float[] {2f});
    return q;
  }

  /** Three training steps' values (see {@link QatPoolFixtures#step}), fused or apart. */
  private static List<Map<String, float[]>> steps(Model m, Tensor x, boolean fused) {
    m.listen(fused ? null : UNFUSED);
    List<Map<String, float[]>> out = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      out.add(QatPoolFixtures.step(m, x, 20 + i));
      assertEquals(fused, m.activation("conv") == null, "ran fused: " + fused);
    }
    return out;
  }

  private static void same(
      List<Map<String, float[]>> want, List<Map<String, float[]>> got, String what) {
    for (int i = 0; i < want.size(); i++)
      for (String k : want.get(i).keySet())
        assertArrayEquals(want.get(i).get(k), got.get(i).get(k), what + ", step " + i + ": " + k);
  }

  private static void fusedEqualsApart(
      int h, int c, int filters, boolean pre, boolean relu6, Padding pad) {
    VectorApi.use(true);
    Tensor x = random(h * 31L + c, 3, h, h, c);
    List<Map<String, float[]>> want = null;
    for (int threads : new int[] {1, 2, 3}) {
      List<Map<String, float[]>> apart = run(threads, x, filters, pre, relu6, pad, false);
      if (want == null) want = apart;
      List<Map<String, float[]>> fused = run(threads, x, filters, pre, relu6, pad, true);
      String what =
          h + "x" + h + "x" + c + " → " + filters + " pre " + pre + " at " + threads + " threads";
      same(apart, fused, what);
      // The dense layer after the pair sums its bias gradient per thread: compare the rest.
      for (int i = 0; i < want.size(); i++)
        for (String k : want.get(i).keySet())
          if (!k.startsWith("dense"))
            assertArrayEquals(want.get(i).get(k), fused.get(i).get(k), what + " vs 1 thread: " + k);
    }
  }

  /** Three steps of a fresh {@link #net} on x at the given thread count. */
  private static List<Map<String, float[]>> run(
      int threads, Tensor x, int filters, boolean pre, boolean relu6, Padding pad, boolean fused) {
    Layer act = relu6 ? new ReLU6("act") : new ReLU("act");
    return ParallelThreads.with(
        threads, () -> steps(net(5, x.dim(1), x.dim(3), filters, pre, act, pool(pad)), x, fused));
  }

  private static MaxPool2D pool(Padding p) {
    return new MaxPool2D("pool", 2, 2).padding(p);
  }

  @Test
  void afterAConvWithTheInputGradient() {
    fusedEqualsApart(11, 2, 17, true, false, Padding.VALID);
    fusedEqualsApart(10, 3, 64, true, true, Padding.VALID);
  }

  @Test
  void firstLayerTooLargeForConvPoolQat() {
    fusedEqualsApart(9, 4, 33, false, true, Padding.VALID);
    fusedEqualsApart(8, 5, 8, false, false, Padding.SAME);
  }

  /** SAME on an odd size pads a window past the input: the two layers run inside the fusion. */
  @Test
  void sameOnAnOddSizeRunsTheLayers() {
    fusedEqualsApart(9, 2, 5, true, false, Padding.SAME);
  }

  @Test
  void noActivationAndDepthwise() {
    VectorApi.use(true);
    Tensor x = random(3, 2, 8, 8, 4);
    List<Map<String, float[]>> want =
        steps(net(6, 8, 4, 7, true, null, pool(Padding.VALID)), x, false);
    same(want, steps(net(6, 8, 4, 7, true, null, pool(Padding.VALID)), x, true), "no activation");
    List<Map<String, float[]>> dw = steps(depthwise(), random(5, 2, 8, 8, 16), false);
    same(dw, steps(depthwise(), random(5, 2, 8, 8, 16), true), "depthwise");
  }

  private static Model depthwise() {
    Model q =
        Quantize.model(
                new Sequential(7, "in", 8, 8, 16)
                    .add(new DepthwiseConv2D("conv", 3, 3).padding(Padding.SAME))
                    .add(new BatchNormalization("bn"))
                    .add(new ReLU6("act"))
                    .add(pool(Padding.VALID))
                    .add(new Flatten("flat"))
                    .add(new Dense("dense", 3))
                    .build())
            .model();
    ((ConvBatchNorm) q.node("conv").layer())
        .outputQuantizer()
        .setRange(new float[] {0f}, new float[] {3f});
    return q;
  }

  @Test
  void notTakenOnThePlainPathFrozenOrInInference() {
    Tensor x = random(4, 2, 8, 8, 2);
    VectorApi.use(false);
    Model plain = net(7, 8, 2, 6, true, new ReLU("act"), pool(Padding.VALID));
    plain.forward(x, ExecContext.training(1));
    assertNotNull(plain.activation("conv"), "plain path");
    VectorApi.use(true);
    Model frozen = net(7, 8, 2, 6, true, new ReLU("act"), pool(Padding.VALID));
    ((ConvBatchNorm) frozen.node("conv").layer()).batchNorm().freeze(true);
    frozen.forward(x, ExecContext.training(1));
    assertNotNull(frozen.activation("conv"), "frozen BN");
    Model m = net(7, 8, 2, 6, true, new ReLU("act"), pool(Padding.VALID));
    m.predict(x);
    assertNotNull(m.activation("conv"), "inference");
  }

  /** The reference CNN's QAT model runs conv2 → pool2 fused (and conv1 → pool1 as before). */
  @Test
  void referenceCnnRunsBothBlocksFused() {
    VectorApi.use(true);
    Model m = Quantize.model(Zoo.referenceCnn(1)).model();
    m.forward(random(4, 2, 28, 28, 1), ExecContext.training(1));
    assertNull(m.activation("conv1"), "conv1");
    assertNull(m.activation("conv2"), "conv2");
  }
}
