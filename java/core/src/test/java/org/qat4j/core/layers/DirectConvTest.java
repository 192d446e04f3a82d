package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * DirectConv against Conv2D's im2col + GEMM path on the same layer (outputs, kernel and bias
 * gradients, input gradient), its independence of the thread count, and finite differences.
 */
class DirectConvTest {
  private static final String FLAG = "qat4j.conv.direct";

  /** Runs {@code body} with the direct path switched on or off, restoring the property. */
  private static <T> T with(boolean direct, Supplier<T> body) {
    String old = System.getProperty(FLAG);
    System.setProperty(FLAG, Boolean.toString(direct));
    try {
      return body.get();
    } finally {
      if (old == null) System.clearProperty(FLAG);
      else System.setProperty(FLAG, old);
    }
  }

  /**
   * Output, kernel gradient, bias gradient (or empty) and input gradient (or empty) of one step.
   */
  private static float[][] step(Conv2D conv, Tensor x, Tensor gy, boolean needDx) {
    Tensor y = conv.forward(new Tensor[] {x}, ExecContext.training(1));
    float[] out = y.toArray();
    Tensor[] dx = conv.backward(gy, ExecContext.training(1), new boolean[] {needDx});
    float[] db = conv.bias() == null ? new float[0] : conv.bias().grad().toArray();
    float[] dxs = needDx ? dx[0].toArray() : new float[0];
    return new float[][] {out, conv.kernel().grad().toArray(), db, dxs};
  }

  private static void matches(Conv2D conv, int n, int h, int w, int c) {
    Tensor x = Checks.random(1, n, h, w, c);
    Checks.build(conv, x);
    if (conv.bias() != null) conv.bias().value().copyFrom(Checks.random(5, conv.filters()));
    int[] os = conv.outputShape(new int[] {h, w, c});
    assertTrue(with(true, () -> DirectConv.applies(conv.geo, conv.filters())), conv + " is direct");
    Tensor gy = Checks.random(2, n, os[0], os[1], os[2]);
    float[][] ref = with(false, () -> step(conv, x, gy, true));
    float[][] got = with(true, () -> step(conv, x, gy, true));
    String[] what = {"output", "kernel gradient", "bias gradient", "input gradient"};
    for (int i = 0; i < ref.length; i++) close(ref[i], got[i], conv + " " + what[i]);
  }

  private static void close(float[] want, float[] got, String what) {
    assertTrue(want.length == got.length, what + ": length");
    double scale = 1e-6;
    for (float v : want) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]) / scale;
      assertTrue(err < 2e-5, what + " at " + i + ": want " + want[i] + " got " + got[i]);
    }
  }

  @Test
  void conv1ShapeValidStride1() {
    matches(new Conv2D("c", 32, 3, 3), 3, 28, 28, 1);
  }

  @Test
  void mobileNetStemSameStride2() {
    matches(new Conv2D("c", 16, 3, 3).strides(2, 2).padding(Padding.SAME), 5, 28, 28, 1);
  }

  @Test
  void threeChannelsFiveByFiveSame() {
    matches(new Conv2D("c", 8, 5, 5).padding(Padding.SAME), 1, 9, 11, 1);
    matches(new Conv2D("c", 7, 3, 3).padding(Padding.SAME), 3, 9, 10, 3);
  }

  @Test
  void stridesDilationOddSizesNoBias() {
    matches(new Conv2D("c", 6, 3, 3).strides(2, 1).dilation(1, 2).useBias(false), 3, 11, 12, 2);
    matches(new Conv2D("c", 5, 3, 2).strides(1, 3).padding(Padding.SAME), 1, 10, 13, 3);
    matches(new Conv2D("c", 4, 2, 3).dilation(2, 2).padding(Padding.SAME), 5, 9, 8, 1);
  }

  @Test
  void fusedActivations() {
    matches(new Conv2D("c", 8, 3, 3).activation(Activation.RELU), 3, 8, 8, 1);
    matches(
        new Conv2D("c", 8, 3, 3).activation(Activation.RELU6).padding(Padding.SAME), 2, 7, 7, 2);
  }

  @Test
  void appliesOnlyToSmallWindowsWhenSwitchedOn() {
    ConvGeometry conv1 =
        ConvGeometry.of(
            new Conv2D("c", 32, 3, 3), new int[] {28, 28, 1}, 3, 3, 1, 1, 1, 1, Padding.VALID);
    ConvGeometry conv2 =
        ConvGeometry.of(
            new Conv2D("c", 64, 3, 3), new int[] {13, 13, 32}, 3, 3, 1, 1, 1, 1, Padding.VALID);
    ConvGeometry pointwise =
        ConvGeometry.of(
            new Conv2D("c", 8, 1, 1), new int[] {8, 8, 4}, 1, 1, 1, 1, 1, 1, Padding.VALID);
    assertFalse(with(false, () -> DirectConv.applies(conv1, 32)));
    assertTrue(with(true, () -> DirectConv.applies(conv1, 32)));
    assertFalse(with(true, () -> DirectConv.applies(conv2, 64)));
    assertFalse(with(true, () -> DirectConv.applies(pointwise, 8)));
  }

  @Test
  void independentOfThreadCount() {
    int before = Parallel.threads();
    try {
      float[][] first = null;
      for (int threads : new int[] {1, 2, 3, 5}) {
        Parallel.setThreads(threads);
        Conv2D conv = new Conv2D("c", 12, 3, 3).padding(Padding.SAME);
        Tensor x = Checks.random(3, 13, 10, 10, 2);
        Checks.build(conv, x);
        Tensor gy = Checks.random(4, 13, 10, 10, 12);
        float[][] got = with(true, () -> step(conv, x, gy, true));
        if (first == null) first = got;
        for (int i = 0; i < got.length; i++)
          assertArrayEquals(first[i], got[i], "threads " + threads);
      }
    } finally {
      Parallel.setThreads(before);
    }
  }

  @Test
  void finiteDifferencesOnTheLayer() {
    with(
        true,
        () -> {
          Checks.gradients(
              new Conv2D("c", 5, 3, 3).strides(2, 2).padding(Padding.SAME),
              Checks.random(7, 2, 7, 6, 2));
          Checks.gradients(new Conv2D("c", 4, 3, 3), Checks.random(8, 3, 6, 6, 1));
          return null;
        });
  }

  @Test
  void finiteDifferencesThroughAModel() {
    with(
        true,
        () -> {
          Model m =
              new Sequential(3, "in", 8, 8, 1)
                  .add(new Conv2D("conv", 6, 3, 3).padding(Padding.SAME))
                  .add(new Tanh("t"))
                  .add(new Conv2D("conv2", 4, 3, 3).strides(2, 2))
                  .add(new Flatten("flat"))
                  .add(new Dense("dense", 3))
                  .build();
          Tensor x = Checks.random(9, 2, 8, 8, 1), r = Checks.random(10, 2, 3);
          m.forward(x, ExecContext.training(1));
          assertNotNull(m.backward(r, ExecContext.training(1), true));
          List<Param> ps = m.trainableParams();
          for (int p = 0; p < 4; p++) checkParam(m, x, r, ps.get(p));
          return null;
        });
  }

  /** Compares a few coordinates of one parameter's gradient with central differences. */
  private static void checkParam(Model m, Tensor x, Tensor r, Param p) {
    float[] analytic = p.grad().toArray();
    Tensor v = p.value();
    for (int i = 0; i < v.size(); i += Math.max(1, v.size() / 7)) {
      float orig = v.get(i);
      v.set(i, orig + 1e-2f);
      double lp = dot(m.forward(x, ExecContext.training(1)), r);
      v.set(i, orig - 1e-2f);
      double lm = dot(m.forward(x, ExecContext.training(1)), r);
      v.set(i, orig);
      double num = (lp - lm) / 2e-2;
      double err =
          Math.abs(num - analytic[i]) / Math.max(1e-2, Math.abs(num) + Math.abs(analytic[i]));
      assertTrue(
          err < Checks.TOL, p.name() + "[" + i + "]: numeric " + num + " analytic " + analytic[i]);
    }
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) s += (double) a.get(i) * b.get(i);
    return s;
  }
}
