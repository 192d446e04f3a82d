package org.qat4j.core.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;

/**
 * Published structure of the zoo builders: full-size parameter counts as Keras's {@code
 * model.summary()} reports them (built, never run), and a forward/backward pass at a small size.
 */
class ZooArchitecturesTest {
  @Test
  void mobileNetV1FullSizeMatchesKeras() {
    Model m = new MobileNetV1().build(1);
    assertEquals(4_253_864, m.parameterCount());
    assertArrayEquals(new int[] {224, 224, 3}, m.inputShape());
    assertArrayEquals(new int[] {1000}, m.outputShape());
    assertArrayEquals(new int[] {7, 7, 1024}, m.node("conv_pw_13_relu").shape());
    assertEquals(13, count(m, "DepthwiseConv2D"));
  }

  @Test
  void mobileNetV2FullSizeMatchesKeras() {
    Model m = new MobileNetV2().build(1);
    assertEquals(3_538_984, m.parameterCount());
    assertArrayEquals(new int[] {7, 7, 1280}, m.node("out_relu").shape());
    assertArrayEquals(new int[] {112, 112, 16}, m.node("expanded_conv_project_BN").shape());
    assertArrayEquals(new int[] {7, 7, 320}, m.node("block_16_project_BN").shape());
    assertEquals(17, count(m, "DepthwiseConv2D"));
    // residual Adds exactly where stride is 1 and channels match: blocks 2, 4, 5, 7, 8, 9, 11, 12,
    // 14, 15
    assertEquals(
        "block_2_add,block_4_add,block_5_add,block_7_add,block_8_add,block_9_add,block_11_add,block_12_add,"
            + "block_14_add,block_15_add",
        names(m, "Add"));
    assertEquals(576, m.node("block_13_expand").shape()[2]);
  }

  @Test
  void resNet50FullSizeMatchesKeras() {
    Model m = new ResNet50().build(1);
    assertEquals(25_636_712, m.parameterCount());
    assertArrayEquals(new int[] {56, 56, 64}, m.node("pool1_pool").shape());
    assertArrayEquals(new int[] {7, 7, 2048}, m.node("conv5_block3_out").shape());
    assertEquals(16, count(m, "Add"));
    assertEquals(53, count(m, "Conv2D")); // 1 stem + 16 blocks × 3 + 4 projections
    assertEquals(53, count(m, "BatchNormalization"));
  }

  @Test
  void widthMultipliersRoundAsKeras() {
    assertEquals(
        8, new MobileNetV1().alpha(0.25f).resolution(128).build(1).node("conv1").shape()[2]);
    // Keras MobileNetV2 alpha 0.35: first conv 16, last block 112, head stays 1280; alpha 1.4 head
    // 1792
    Model v2 = new MobileNetV2().alpha(0.35f).resolution(96).build(1);
    assertEquals(16, v2.node("Conv1").shape()[2]);
    assertEquals(112, v2.node("block_16_project").shape()[2]);
    assertEquals(1280, v2.node("Conv_1").shape()[2]);
    assertEquals(
        1792,
        new MobileNetV2().alpha(1.4f).resolution(32).classes(2).build(1).node("Conv_1").shape()[2]);
  }

  @Test
  void mobileNetV1SmokeTrainingStep() {
    smoke(
        new MobileNetV1().alpha(0.25f).resolution(64).classes(7).build(3),
        64,
        3,
        7,
        "conv1/kernel");
  }

  @Test
  void mobileNetV2SmokeTrainingStep() {
    smoke(
        new MobileNetV2().alpha(0.35f).resolution(64).classes(5).build(3),
        64,
        3,
        5,
        "Conv1/kernel");
  }

  @Test
  void resNet50SmokeTrainingStep() {
    smoke(new ResNet50().resolution(32).classes(4).build(3), 32, 3, 4, "conv1_conv/kernel");
  }

  @Test
  void mobileNetMiniStructureAndTrainingStep() {
    Model m = MobileNetMini.create(5);
    assertArrayEquals(new int[] {28, 28, 1}, m.inputShape());
    assertArrayEquals(new int[] {10}, m.outputShape());
    assertArrayEquals(new int[] {7, 7, 64}, m.node("mix_concat").shape());
    assertTrue(
        count(m, "Add") >= 1 && count(m, "Concatenate") >= 1 && count(m, "DepthwiseConv2D") >= 3);
    // convs 144 + 144 + 512 + 3,072 + 864 + 3,072 + 288 + 1,024 + 288 + 1,024 + 8,192, BN 4 per
    // channel
    // (16+16+32+96+96+32+32+32+32+32+128 = 544 channels → 2,176), Dense 1,290
    assertEquals(22_090, m.parameterCount());
    smoke(m, 28, 1, 10, "stem/kernel");
  }

  @Test
  void registryBuildsTheDefaults() {
    assertTrue(
        Zoo.names()
            .containsAll(
                java.util.List.of(
                    "mobilenet-v1",
                    "mobilenet-v2",
                    "resnet50",
                    "mobilenet-mini",
                    "reference-cnn")));
    assertEquals(22_090, Zoo.create("mobilenet-mini", 2).parameterCount());
    Model v2 = Zoo.create("mobilenet-v2", 2);
    assertEquals(3_538_984, v2.parameterCount());
    assertArrayEquals(new int[] {224, 224, 3}, v2.inputShape());
    assertArrayEquals(new int[] {1000}, Zoo.create("mobilenet-v1", 2).outputShape());
  }

  @Test
  void softmaxHeadIsSeparateLayer() {
    Model m = new MobileNetV1().alpha(0.25f).resolution(32).classes(3).softmax(true).build(1);
    assertEquals("Softmax", m.output().layer().type());
    assertEquals("Dense", m.layer("logits").type());
    float[] p = m.predict(images(2, 32, 3, 1)).toArray();
    assertEquals(1.0, p[0] + p[1] + p[2], 1e-5);
  }

  @Test
  void badArgumentsNameModelAndValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> new MobileNetV2().resolution(16));
    assertTrue(
        e.getMessage().contains("MobileNetV2") && e.getMessage().contains("16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new MobileNetV1().alpha(0f));
    assertTrue(e.getMessage().contains("alpha"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ResNet50().classes(0));
    assertTrue(e.getMessage().contains("classes"), e.getMessage());
  }

  @Test
  void seedDeterminesWeights() {
    float[] a = MobileNetMini.create(9).params().get("stem/kernel").value().toArray();
    assertArrayEquals(a, MobileNetMini.create(9).params().get("stem/kernel").value().toArray());
    assertFalse(
        java.util.Arrays.equals(
            a, MobileNetMini.create(10).params().get("stem/kernel").value().toArray()));
  }

  /**
   * One training forward/backward: finite logits of the right shape, finite non-zero first-layer
   * gradient.
   */
  private static void smoke(Model m, int res, int ch, int classes, String firstKernel) {
    int n = 2;
    ExecContext ctx = ExecContext.training(7);
    Tensor y = m.forward(images(n, res, ch, 11), ctx);
    assertArrayEquals(new int[] {n, classes}, y.shape());
    float[] logits = y.toArray();
    for (float v : logits) assertTrue(Float.isFinite(v), "non-finite logit");
    float[] g = new float[n * classes];
    for (int i = 0; i < n; i++) g[i * classes + i % classes] = 1f;
    m.backward(Tensor.of(g, n, classes), ctx);
    float[] grad = m.params().get(firstKernel).grad().toArray();
    double norm = 0;
    for (float v : grad) {
      assertTrue(Float.isFinite(v), "non-finite gradient");
      norm += v * v;
    }
    assertTrue(norm > 0, "first-layer gradient is zero: backward did not reach the input");
  }

  /** Smooth random images in [0, 1]: a sum of low-frequency sinusoids per channel. */
  static Tensor images(int n, int res, int ch, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * res * res * ch];
    for (int b = 0; b < n; b++)
      for (int c = 0; c < ch; c++) {
        double fx = r.nextDouble(0.5, 3),
            fy = r.nextDouble(0.5, 3),
            px = r.nextDouble(6.3),
            py = r.nextDouble(6.3);
        for (int y = 0; y < res; y++)
          for (int x = 0; x < res; x++) {
            double s = Math.sin(fx * 6.283 * x / res + px) * Math.cos(fy * 6.283 * y / res + py);
            v[((b * res + y) * res + x) * ch + c] = (float) (0.5 + 0.45 * s);
          }
      }
    return Tensor.of(v, n, res, res, ch);
  }

  private static long count(Model m, String type) {
    return m.nodes().stream().filter(n -> n.layer().type().equals(type)).count();
  }

  private static String names(Model m, String type) {
    return m.nodes().stream()
        .filter(n -> n.layer().type().equals(type))
        .map(n -> n.name())
        .collect(Collectors.joining(","));
  }
}
