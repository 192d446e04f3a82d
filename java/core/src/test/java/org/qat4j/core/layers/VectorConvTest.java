package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.Sequential;
import org.qat4j.core.Tensor;
import org.qat4j.ir.internal.Parallel;

/**
 * VectorConv (the Vector API direct path) against Conv2D's im2col + GEMM path on the same layer
 * (outputs, kernel and bias gradients, input gradient) over filter counts below, at and between
 * whole vectors, strides, padding, dilation, fused activations and odd batches; its independence of
 * the thread count; and finite differences on the layer and through a model.
 */
class VectorConvTest {
  private final boolean initial = Lanes.vector();

  @AfterEach
  void restore() {
    Lanes.useVector(initial);
  }

  /** Builds conv for x on the vector path or not (same weights either way) and checks the path. */
  private static void prepare(Conv2D conv, Tensor x, boolean vector) {
    Lanes.useVector(vector);
    Checks.build(conv, x);
    if (conv.bias() != null) conv.bias().value().copyFrom(Checks.random(5, conv.filters()));
    assertEquals(vector, conv.path() instanceof VectorConv, conv + " on the vector path");
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
    int[] os = conv.outputShape(new int[] {h, w, c});
    Tensor gy = Checks.random(2, n, os[0], os[1], os[2]);
    prepare(conv, x, false);
    float[][] ref = step(conv, x, gy, true);
    prepare(conv, x, true);
    float[][] got = step(conv, x, gy, true);
    String[] what = {"output", "kernel gradient", "bias gradient", "input gradient"};
    for (int i = 0; i < ref.length; i++) close(ref[i], got[i], conv + " " + what[i]);
  }

  private static void close(float[] want, float[] got, String what) {
    assertEquals(want.length, got.length, what + ": length");
    double scale = 1e-6;
    for (float v : want) scale = Math.max(scale, Math.abs(v));
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]) / scale;
      assertTrue(err < 2e-5, what + " at " + i + ": want " + want[i] + " got " + got[i]);
    }
  }

  @Test
  void testsRunWithTheVectorModule() {
    assertTrue(
        Lanes.VECTOR_AVAILABLE,
        "Surefire runs with --add-modules jdk.incubator.vector (test.argLine)");
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
  void oddFilterCounts() {
    for (int f : new int[] {1, 5, 17, 33}) {
      matches(new Conv2D("c", f, 3, 3).padding(Padding.SAME), 3, 9, 7, 1);
      matches(new Conv2D("c", f, 3, 3).strides(2, 2).useBias(false), 1, 10, 9, 2);
    }
  }

  @Test
  void moreChannelsAndLargerWindows() {
    matches(new Conv2D("c", 8, 5, 5).padding(Padding.SAME), 1, 9, 11, 1);
    matches(new Conv2D("c", 7, 3, 3).padding(Padding.SAME), 3, 9, 10, 3);
    matches(new Conv2D("c", 20, 4, 4).padding(Padding.SAME).strides(2, 2), 9, 13, 12, 2);
  }

  @Test
  void stridesDilationOddSizesNoBias() {
    matches(new Conv2D("c", 6, 3, 3).strides(2, 1).dilation(1, 2).useBias(false), 3, 11, 12, 2);
    matches(new Conv2D("c", 5, 3, 2).strides(1, 3).padding(Padding.SAME), 1, 10, 13, 3);
    matches(new Conv2D("c", 4, 2, 3).dilation(2, 2).padding(Padding.SAME), 5, 9, 8, 1);
    matches(new Conv2D("c", 16, 1, 3).strides(1, 2), 11, 6, 9, 1);
  }

  @Test
  void fusedActivations() {
    matches(new Conv2D("c", 8, 3, 3).activation(Activation.RELU), 3, 8, 8, 1);
    matches(
        new Conv2D("c", 8, 3, 3).activation(Activation.RELU6).padding(Padding.SAME), 2, 7, 7, 2);
  }

  @Test
  void appliesOnlyToSmallWindows() {
    Conv2D layer = new Conv2D("c", 32, 3, 3);
    int[][] in = {{28, 28, 1}, {13, 13, 32}, {8, 8, 4}, {9, 9, 3}, {9, 9, 3}};
    int[][] k = {{3, 3}, {3, 3}, {1, 1}, {3, 3}, {5, 5}};
    boolean[] want = {true, false, false, true, false};
    for (int i = 0; i < in.length; i++) {
      ConvGeometry g = ConvGeometry.of(layer, in[i], k[i][0], k[i][1], 1, 1, 1, 1, Padding.VALID);
      assertEquals(want[i], VectorConv.applies(g), "window " + i);
    }
    Lanes.useVector(false);
    Tensor x = Checks.random(1, 2, 8, 8, 1);
    assertTrue(Checks.build(new Conv2D("c", 4, 3, 3), x).path() instanceof TiledConv);
  }

  @Test
  void independentOfThreadCount() {
    int before = Parallel.threads();
    try {
      float[][] first = null;
      for (int threads : new int[] {1, 2, 3, 5}) {
        Parallel.setThreads(threads);
        Conv2D conv = new Conv2D("c", 12, 3, 3).padding(Padding.SAME);
        Tensor x = Checks.random(3, 21, 10, 10, 2);
        prepare(conv, x, true);
        Tensor gy = Checks.random(4, 21, 10, 10, 12);
        float[][] got = step(conv, x, gy, true);
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
    Lanes.useVector(true);
    Conv2D a = new Conv2D("c", 5, 3, 3).strides(2, 2).padding(Padding.SAME);
    Checks.gradients(a, Checks.random(7, 2, 7, 6, 2));
    assertTrue(a.path() instanceof VectorConv);
    Conv2D b = new Conv2D("c", 17, 3, 3);
    Checks.gradients(b, Checks.random(8, 3, 6, 6, 1));
    assertTrue(b.path() instanceof VectorConv);
  }

  @Test
  void finiteDifferencesThroughAModel() {
    Lanes.useVector(true);
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
    for (int p = 0; p < 4; p++) Checks.modelParamGradient(m, x, r, ps.get(p), 1e-2f);
    assertTrue(((Conv2D) m.layer("conv")).path() instanceof VectorConv);
  }
}
