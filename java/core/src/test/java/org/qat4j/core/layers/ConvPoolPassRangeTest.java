package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;

/**
 * The z range of {@link ConvPoolPass#forward} (compare-and-blend in the fused pass, Math.min/max
 * over the conv output when a z is NaN or may be −0) against Math.min/max over the conv layer's own
 * output at the pooled positions, bit for bit: random data, a NaN pixel, and a −0 bias over −0 and
 * +0 pixels (both zeros at a filter's minimum, where Math.min takes −0).
 */
class ConvPoolPassRangeTest {
  private final boolean initial = Lanes.vector();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
  }

  @Test
  void randomData() {
    check(Checks.random(1, 3, 11, 9, 1), 0.1f);
  }

  @Test
  void aNanPixel() {
    Tensor x = Checks.random(2, 3, 11, 9, 1);
    x.set(40, Float.NaN);
    check(x, 0.1f);
  }

  /**
   * Positive weights and a −0 bias: image 0's patches of +0 give z = +0 before image 1's patches of
   * −0 give −0.
   */
  @Test
  void negativeZeroBias() {
    Tensor x = Checks.random(3, 3, 11, 9, 1);
    for (int i = 0; i < x.size(); i++) {
      int n = i / 99, col = i % 9;
      x.set(i, col >= 6 || n == 2 ? Math.abs(x.get(i)) : n == 0 ? 0f : -0f);
    }
    check(x, -0f);
  }

  private static void check(Tensor x, float bias) {
    Lanes.useVector(true);
    Model m =
        new Sequential(5, "in", 11, 9, 1)
            .add(new Conv2D("conv", 19, 3, 3))
            .add(new MaxPool2D("pool", 2, 2))
            .build();
    Conv2D conv = (Conv2D) m.layer("conv");
    for (int i = 0; i < conv.kernel.value().size(); i++) {
      conv.kernel.value().set(i, Math.abs(conv.kernel.value().get(i)) * (bias == 0f ? 1f : 0.5f));
    }
    for (int j = 0; j < 19; j++) conv.bias.value().set(j, j % 2 == 0 ? bias : 0.1f);
    ConvPoolPass pass = new ConvPoolPass(conv, (MaxPool2D) m.layer("pool"));
    assertTrue(pass.fits());
    pass.statistics(x);
    float[] a = new float[19], b = new float[19], range = new float[38];
    Arrays.fill(a, 1f);
    pass.forward(a, b, Float.POSITIVE_INFINITY, range);
    Tensor z = conv.forward(new Tensor[] {x}, ExecContext.training(1));
    for (int j = 0; j < 19; j++) {
      float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
      for (int n = 0; n < 3; n++)
        for (int oy = 0; oy < 8; oy++)
          for (int ox = 0; ox < 6; ox++) {
            float v = z.get(((n * 9 + oy) * 7 + ox) * 19 + j);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
      assertEquals(Float.floatToIntBits(lo), Float.floatToIntBits(range[j]), "min of filter " + j);
      assertEquals(Float.floatToIntBits(hi), Float.floatToIntBits(range[19 + j]), "max " + j);
    }
  }
}
