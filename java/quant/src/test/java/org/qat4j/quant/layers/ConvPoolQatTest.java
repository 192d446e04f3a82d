package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.qat4j.quant.layers.QatPoolFixtures.close;
import static org.qat4j.quant.layers.QatPoolFixtures.net;
import static org.qat4j.quant.layers.QatPoolFixtures.random;
import static org.qat4j.quant.layers.QatPoolFixtures.step;

import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.ir.internal.VectorApi;

/**
 * The QAT ConvBatchNorm → 2×2 MaxPool2D training fusion ({@link ConvPoolQat}) against the same QAT
 * model run layer by layer: outputs, BN moving statistics, quantizer ranges and every parameter
 * gradient agree to a relative {@link #TOL} of each array's largest magnitude.
 */
class ConvPoolQatTest {
  static final double TOL = 1e-4;

  private final boolean initial = VectorApi.on();

  @AfterEach
  void restore() {
    VectorApi.use(initial);
  }

  /**
   * Runs three steps fused and unfused on identically seeded models; asserts the fused path ran.
   */
  static void compare(Supplier<Model> net, Tensor x0) {
    VectorApi.use(true);
    Model fused = net.get(), plain = net.get();
    plain.listen(QatPoolFixtures.UNFUSED);
    for (int s = 0; s < 3; s++) {
      Tensor x = x0.copy();
      for (int i = 0; i < x.size(); i++) x.set(i, x.get(i) * (1f + 0.25f * s));
      Map<String, float[]> a = step(plain, x, 8 + s), b = step(fused, x, 8 + s);
      assertNull(fused.activation("conv"), "the block ran fused");
      assertNotNull(plain.activation("conv"));
      assertEquals(a.keySet(), b.keySet());
      for (String k : a.keySet()) close(a.get(k), b.get(k), TOL, "step " + s + " " + k);
    }
  }

  @Test
  void referenceShape() {
    compare(
        () -> net(3, 14, 14, 1, () -> new Conv2D("conv", 32, 3, 3), false),
        random(1, 4, 14, 14, 1));
  }

  @Test
  void oddSizesFilterTailsReLU6AndBias() {
    for (int f : new int[] {1, 5, 17, 33}) {
      compare(
          () -> net(4, 9, 7, 1, () -> new Conv2D("conv", f, 3, 3).padding(Padding.SAME), true),
          random(2, 3, 9, 7, 1));
      compare(
          () -> net(5, 11, 10, 2, () -> new Conv2D("conv", f, 3, 3).useBias(false), false),
          random(3, 2, 11, 10, 2));
    }
  }

  @Test
  void stridesDilationChannelsAndABatchOfOne() {
    compare(
        () ->
            net(
                6,
                15,
                13,
                3,
                () -> new Conv2D("conv", 8, 3, 3).strides(2, 2).padding(Padding.SAME),
                false),
        random(4, 5, 15, 13, 3));
    compare(
        () -> net(7, 12, 13, 2, () -> new Conv2D("conv", 12, 3, 2).dilation(2, 1), true),
        random(5, 1, 12, 13, 2));
    compare(
        () -> net(8, 16, 16, 1, () -> new Conv2D("conv", 16, 5, 5).padding(Padding.SAME), false),
        random(6, 2, 16, 16, 1));
  }

  /**
   * γ of ±4 with ReLU6 (outputs saturate at 6, the arg-max follows BN's sign) and a zero half image
   * (every tap of a window equal: ties go to the first tap).
   */
  @Test
  void negativeGammaSaturationAndZeroTies() {
    Tensor x = random(9, 3, 10, 10, 1);
    for (int i = 0; i < x.size(); i++) if (i % 10 < 5) x.set(i, 0f);
    compare(
        () -> {
          Model m =
              net(9, 10, 10, 1, () -> new Conv2D("conv", 20, 3, 3).padding(Padding.SAME), true);
          Tensor gamma = m.params().get("conv/gamma").value();
          for (int c = 0; c < gamma.size(); c++) gamma.set(c, c % 2 == 0 ? -4f : 4f);
          return m;
        },
        x);
  }

  /**
   * Ties after quantization: a box kernel (+ on even filters, − on odd) over images made of a
   * constant per image, a pattern of period 3 in each axis (which a 3x3 box sums to a constant) and
   * a small ramp, so that the four taps of a window differ in float by a few per cent of a
   * quantization step but see different patches. The float arg-max is the bottom-right tap
   * (top-left on odd filters), while most windows quantize to one level, where the separate max
   * pool takes the top-left tap: the kernel gradient tells which patch got the gradient.
   */
  @Test
  void tiesAfterQuantizationGoToTheFirstTap() {
    float[] a = {0f, 0.3f, -0.2f}, b = {0.1f, -0.4f, 0.2f};
    Tensor x = Tensor.zeros(6, 10, 10, 1);
    for (int n = 0; n < 6; n++)
      for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++)
          x.set((n * 10 + i) * 10 + j, 0.5f * n - 1f + a[i % 3] + b[j % 3] + 1e-4f * (i + j));
    compare(
        () -> {
          Model m = net(12, 10, 10, 1, () -> new Conv2D("conv", 4, 3, 3).useBias(false), false);
          Tensor k = m.params().get("conv/kernel").value();
          for (int e = 0; e < k.size(); e++) k.set(e, e % 2 == 0 ? 0.2f : -0.2f);
          return m;
        },
        x);
  }
}
