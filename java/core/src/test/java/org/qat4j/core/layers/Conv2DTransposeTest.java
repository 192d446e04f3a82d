package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

/**
 * Conv2DTranspose: output sizes as Keras, forward equal to the input gradient of the Conv2D it
 * transposes (an independent computation of the same sum), gradients against central differences,
 * and bad settings refused.
 */
class Conv2DTransposeTest {
  @Test
  void outputSizesFollowKeras() {
    assertArrayEquals(
        new int[] {8, 10, 3},
        new Conv2DTranspose("t", 3, 3, 3)
            .strides(2, 2)
            .padding(Padding.SAME)
            .outputShape(new int[] {4, 5, 2}));
    // VALID: H·s + max(k − s, 0)
    assertArrayEquals(
        new int[] {9, 15, 3},
        new Conv2DTranspose("t", 3, 3, 2).strides(2, 3).outputShape(new int[] {4, 5, 2}));
  }

  @Test
  void forwardIsTheInputGradientOfTheTransposedConv() {
    for (Padding p : Padding.values()) {
      for (int[] k : new int[][] {{3, 2, 2}, {2, 3, 1}, {1, 1, 3}, {4, 4, 2}}) {
        Conv2DTranspose t =
            new Conv2DTranspose("t", 3, k[0], k[1]).strides(k[2], 2).padding(p).useBias(false);
        Tensor x = Checks.random(5, 2, 4, 3, 2);
        Checks.build(t, x);
        float[] got = t.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
        // the Conv2D from the transposed output [OH, OW, 3] back to [4, 3, 2] with the kernel's
        // last two axes swapped: its input gradient for output gradient x is the same sum
        int[] os = t.outputShape(new int[] {4, 3, 2});
        Conv2D c = new Conv2D("c", 2, k[0], k[1]).strides(k[2], 2).padding(p).useBias(false);
        Tensor probe = Checks.random(6, 2, os[0], os[1], os[2]);
        Checks.build(c, probe);
        assertArrayEquals(new int[] {4, 3, 2}, c.outputShape(new int[] {os[0], os[1], os[2]}));
        Tensor ck = c.kernel().value(), tk = t.kernel().value();
        for (int a = 0; a < k[0] * k[1]; a++)
          for (int i = 0; i < 2; i++)
            for (int o = 0; o < 3; o++) ck.set((a * 3 + o) * 2 + i, tk.get((a * 2 + i) * 3 + o));
        c.forward(new Tensor[] {probe}, ExecContext.inference());
        float[] want = c.backward(x, ExecContext.inference())[0].toArray();
        assertEquals(want.length, got.length);
        for (int i = 0; i < got.length; i++)
          assertEquals(want[i], got[i], 1e-5, p + " kernel " + k[0] + "x" + k[1] + " at " + i);
      }
    }
  }

  @Test
  void gradientsMatchCentralDifferences() {
    Checks.gradients(new Conv2DTranspose("t", 3, 3, 3).strides(2, 2), Checks.random(1, 2, 3, 3, 2));
    Checks.gradients(
        new Conv2DTranspose("t", 2, 2, 3).strides(2, 1).padding(Padding.SAME),
        Checks.random(2, 2, 3, 4, 3));
    // stride above the kernel: output pixels no tap reaches hold only the bias
    Checks.gradients(new Conv2DTranspose("t", 2, 1, 2).strides(3, 3), Checks.random(3, 2, 2, 2, 2));
  }

  @Test
  void copyKeepsTheSettings() {
    Conv2DTranspose t =
        new Conv2DTranspose("t", 4, 3, 2).strides(2, 2).padding(Padding.SAME).useBias(false);
    assertEquals(t.config(), t.copy().config());
    t.build(new int[][] {{3, 3, 2}}, new SplittableRandom(1));
    assertEquals(2, t.copy().kernelSize()[1]);
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Conv2DTranspose("t", 0, 3, 3));
    assertThrows(
        ShapeException.class,
        () -> new Conv2DTranspose("t", 2, 3, 3).dilation(2, 2).outputShape(new int[] {4, 4, 1}));
    assertThrows(
        ShapeException.class,
        () -> new Conv2DTranspose("t", 2, 3, 3).outputShape(new int[] {4, 4}));
    Conv2DTranspose t = new Conv2DTranspose("t", 2, 3, 3);
    t.build(new int[][] {{4, 4, 1}}, new SplittableRandom(1));
    assertThrows(
        IllegalArgumentException.class,
        () -> t.forward(new Tensor[] {Tensor.zeros(1, 5, 4, 1)}, ExecContext.inference()));
  }
}
