package org.qat4j.core.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Sequential;
import org.qat4j.core.ShapeException;
import org.qat4j.core.Tensor;

class ConvolutionTest {
  /** TFLite padding written out independently of {@link Padding}: [out, before]. */
  private static int[] tfl(boolean same, int in, int k, int s, int d) {
    int eff = (k - 1) * d + 1;
    int out = same ? (in + s - 1) / s : (in - eff + s) / s;
    int total = Math.max((out - 1) * s + eff - in, 0);
    return new int[] {out, same ? total / 2 : 0};
  }

  /** Direct-loop reference; depthwise when mult > 0 (kernel [kh, kw, C, mult]), else HWIO. */
  static float[] naive(Tensor x, Tensor w, Tensor b, boolean same, int s, int d, int mult) {
    int n = x.dim(0), h = x.dim(1), wd = x.dim(2), c = x.dim(3), kh = w.dim(0), kw = w.dim(1);
    int co = mult > 0 ? c * mult : w.dim(3);
    int[] py = tfl(same, h, kh, s, d), px = tfl(same, wd, kw, s, d);
    float[] out = new float[n * py[0] * px[0] * co];
    int o = 0;
    for (int bi = 0; bi < n; bi++)
      for (int oy = 0; oy < py[0]; oy++)
        for (int ox = 0; ox < px[0]; ox++) {
          for (int f = 0; f < co; f++, o++) {
            double acc = b == null ? 0 : b.get(f);
            for (int ky = 0; ky < kh; ky++)
              for (int kx = 0; kx < kw; kx++) {
                int iy = oy * s - py[1] + ky * d, ix = ox * s - px[1] + kx * d;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                if (mult > 0) {
                  acc += x.at(bi, iy, ix, f / mult) * w.at(ky, kx, f / mult, f % mult);
                } else {
                  for (int ci = 0; ci < c; ci++) acc += x.at(bi, iy, ix, ci) * w.at(ky, kx, ci, f);
                }
              }
            out[o] = (float) acc;
          }
        }
    return out;
  }

  private static void convMatches(
      int h, int w, int c, int filters, int k, boolean same, int s, int d) {
    Tensor x = Checks.random(1, 2, h, w, c);
    Conv2D conv =
        Checks.build(
            new Conv2D("conv", filters, k, k)
                .padding(same ? Padding.SAME : Padding.VALID)
                .strides(s, s)
                .dilation(d, d),
            x);
    for (int i = 0; i < filters; i++) conv.bias().value().set(i, 0.1f * i - 0.2f);
    float[] got = conv.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
    String what =
        "conv " + h + "x" + w + "x" + c + " k" + k + " same=" + same + " s" + s + " d" + d;
    Checks.close(
        naive(x, conv.kernel().value(), conv.bias().value(), same, s, d, 0), got, 1e-5f, what);
    Checks.gradients(
        new Conv2D("conv", filters, k, k)
            .padding(same ? Padding.SAME : Padding.VALID)
            .strides(s, s)
            .dilation(d, d),
        x);
  }

  @Test
  void conv2dValidStride1() {
    convMatches(5, 6, 3, 4, 3, false, 1, 1);
  }

  @Test
  void conv2dSameStride1() {
    convMatches(5, 6, 3, 4, 3, true, 1, 1);
  }

  @Test
  void conv2dSameStride2OddSizes() {
    convMatches(7, 5, 2, 3, 3, true, 2, 1);
  }

  @Test
  void conv2dValidStride2() {
    convMatches(7, 8, 2, 3, 3, false, 2, 1);
  }

  @Test
  void conv2dDilation2() {
    convMatches(7, 7, 2, 3, 3, true, 1, 2);
    convMatches(8, 7, 2, 2, 3, false, 1, 2);
  }

  @Test
  void conv2dSingleInputChannel() {
    convMatches(9, 9, 1, 4, 3, false, 1, 1);
  }

  @Test
  void conv2dEvenKernelSame() {
    convMatches(6, 5, 2, 3, 2, true, 1, 1);
    convMatches(6, 5, 2, 3, 4, true, 2, 1);
  }

  @Test
  void conv2dPointwiseSkipsIm2col() {
    convMatches(4, 3, 5, 6, 1, false, 1, 1);
    convMatches(5, 5, 3, 2, 1, true, 2, 1);
  }

  @Test
  void conv2dFusedActivationsAndNoBias() {
    for (Activation a : Activation.values()) {
      Tensor x = Checks.random(3, 2, 5, 5, 2);
      Conv2D conv = new Conv2D("c", 3, 3, 3).padding(Padding.SAME).activation(a).useBias(false);
      // A small step: Glorot weights put many pre-activations within 1e-2 of the ReLU kink.
      Checks.gradients(conv, 1e-3, x);
      assertEquals(null, conv.bias());
      float[] ref = naive(x, conv.kernel().value(), null, true, 1, 1, 0);
      a.apply(java.nio.FloatBuffer.wrap(ref), 0, ref.length);
      Checks.close(
          ref,
          conv.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
          1e-5f,
          "act " + a);
    }
  }

  @Test
  void conv2dBiasInsideGemmWithActivation() {
    // im2col + bias: the bias rides in the GEMM as a constant-1 column; the activation stays apart.
    for (Activation a : new Activation[] {Activation.RELU, Activation.RELU6}) {
      Tensor x = Checks.random(5, 2, 6, 5, 1);
      Conv2D conv = Checks.build(new Conv2D("c", 4, 3, 3).activation(a), x);
      for (int i = 0; i < 4; i++) conv.bias().value().set(i, 0.3f * i - 0.4f);
      float[] ref = naive(x, conv.kernel().value(), conv.bias().value(), false, 1, 1, 0);
      a.apply(java.nio.FloatBuffer.wrap(ref), 0, ref.length);
      Checks.close(
          ref,
          conv.forward(new Tensor[] {x}, ExecContext.inference()).toArray(),
          1e-5f,
          "bias + act " + a);
      Checks.gradients(new Conv2D("c", 4, 3, 3).activation(a), 1e-4, x);
    }
  }

  @Test
  void conv2dBackwardLeavesIncomingGradientUntouched() {
    Tensor x = Checks.random(3, 2, 5, 5, 2);
    Conv2D conv = Checks.build(new Conv2D("c", 3, 3, 3).activation(Activation.RELU), x);
    Tensor y = conv.forward(new Tensor[] {x}, ExecContext.training(1));
    Tensor g = Checks.random(4, y.shape());
    float[] before = g.toArray();
    conv.backward(g, ExecContext.training(1));
    assertArrayEquals(before, g.toArray());
  }

  @Test
  void conv2dIsReproducible() {
    Tensor x = Checks.random(3, 4, 9, 9, 3);
    Conv2D a = Checks.build(new Conv2D("c", 5, 3, 3).padding(Padding.SAME), x);
    Tensor g = Checks.random(4, 4, 9, 9, 5);
    a.forward(new Tensor[] {x}, ExecContext.training(1));
    float[] dx1 = a.backward(g, ExecContext.training(1))[0].toArray(),
        dw1 = a.kernel().grad().toArray();
    a.forward(new Tensor[] {x}, ExecContext.training(1));
    float[] dx2 = a.backward(g, ExecContext.training(1))[0].toArray();
    assertArrayEquals(dx1, dx2);
    assertArrayEquals(dw1, a.kernel().grad().toArray());
  }

  @Test
  void samePaddingPutsOddPixelAfter() {
    assertEquals(0, Padding.SAME.padBefore(4, 3, 2, 1));
    assertEquals(2, Padding.SAME.outSize(4, 3, 2, 1));
    assertEquals(1, Padding.SAME.padBefore(5, 3, 1, 1));
    assertEquals(2, Padding.SAME.padBefore(5, 3, 1, 2));
    assertEquals(3, Padding.VALID.outSize(7, 3, 2, 1));
  }

  private static void depthwiseMatches(
      int h, int w, int c, int mult, int k, boolean same, int s, int d) {
    Tensor x = Checks.random(2, 2, h, w, c);
    DepthwiseConv2D dw =
        Checks.build(
            new DepthwiseConv2D("dw", k, k)
                .depthMultiplier(mult)
                .padding(same ? Padding.SAME : Padding.VALID)
                .strides(s, s)
                .dilation(d, d),
            x);
    for (int i = 0; i < c * mult; i++) dw.bias().value().set(i, 0.05f * i);
    float[] got = dw.forward(new Tensor[] {x}, ExecContext.inference()).toArray();
    String what =
        "dw " + h + "x" + w + "x" + c + " m" + mult + " same=" + same + " s" + s + " d" + d;
    Checks.close(
        naive(x, dw.kernel().value(), dw.bias().value(), same, s, d, mult), got, 1e-5f, what);
    Checks.gradients(
        new DepthwiseConv2D("dw", k, k)
            .depthMultiplier(mult)
            .padding(same ? Padding.SAME : Padding.VALID)
            .strides(s, s)
            .dilation(d, d),
        x);
  }

  @Test
  void depthwiseValid() {
    depthwiseMatches(5, 6, 3, 1, 3, false, 1, 1);
  }

  @Test
  void depthwiseSameStride1WideKernel() {
    depthwiseMatches(6, 9, 4, 1, 5, true, 1, 1);
    depthwiseMatches(4, 3, 2, 1, 5, true, 1, 1);
  }

  @Test
  void depthwiseSameStride2() {
    depthwiseMatches(7, 6, 3, 1, 3, true, 2, 1);
  }

  @Test
  void depthwiseMultiplier2() {
    depthwiseMatches(5, 5, 2, 2, 3, true, 1, 1);
    depthwiseMatches(6, 7, 3, 2, 3, false, 2, 1);
  }

  @Test
  void depthwiseDilation2() {
    depthwiseMatches(7, 7, 2, 1, 3, true, 1, 2);
    depthwiseMatches(8, 8, 2, 2, 3, false, 1, 2);
  }

  @Test
  void depthwiseParamLayout() {
    Tensor x = Checks.random(2, 1, 5, 5, 3);
    DepthwiseConv2D dw = Checks.build(new DepthwiseConv2D("dw", 3, 3).depthMultiplier(2), x);
    assertArrayEquals(new int[] {3, 3, 3, 2}, dw.kernel().value().shape());
    assertArrayEquals(new int[] {6}, dw.bias().value().shape());
    assertEquals("depthwise_kernel", dw.kernel().name());
  }

  @Test
  void kernelLayoutIsHwio() {
    Tensor x = Checks.random(2, 1, 5, 5, 3);
    Conv2D conv = Checks.build(new Conv2D("c", 7, 3, 2), x);
    assertArrayEquals(new int[] {3, 2, 3, 7}, conv.kernel().value().shape());
    assertArrayEquals(new int[] {7}, conv.bias().value().shape());
  }

  @Test
  void windowLargerThanInputNamesLayerAndShape() {
    var e =
        assertThrows(
            ShapeException.class,
            () -> new Sequential("in", 4, 4, 2).add(new Conv2D("conv1", 8, 5, 5)).build());
    assertTrue(
        e.getMessage().contains("'conv1'") && e.getMessage().contains("[4, 4, 2]"), e.getMessage());
    var f =
        assertThrows(
            ShapeException.class,
            () -> new Sequential("in", 16).add(new DepthwiseConv2D("dw1", 3, 3)).build());
    assertTrue(f.getMessage().contains("'dw1'") && f.getMessage().contains("[16]"), f.getMessage());
  }

  @Test
  void wrongBatchShapeIsRejected() {
    Conv2D conv = Checks.build(new Conv2D("c", 2, 3, 3), Checks.random(1, 1, 5, 5, 2));
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                conv.forward(new Tensor[] {Checks.random(1, 1, 5, 5, 3)}, ExecContext.inference()));
    assertTrue(e.getMessage().contains("'c'"), e.getMessage());
  }

  @Test
  void badArgumentsNameTheLayer() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Conv2D("c9", 0, 3, 3));
    assertTrue(e.getMessage().contains("c9"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> new DepthwiseConv2D("d", 3, 3).strides(0, 1));
  }
}
