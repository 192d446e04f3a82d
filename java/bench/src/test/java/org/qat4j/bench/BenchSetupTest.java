package org.qat4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks compute what they claim (never timed): GEMM passes against a naive product, a
 * training step lowers the loss, fused and separate BN → ReLU → pool agree.
 */
class BenchSetupTest {
  @Tag("native")
  @Test
  void gemmPassesMatchNaiveProductOnBothPaths() {
    for (String impl : List.of("openblas", "java"))
      for (String pass : List.of("forward", "weightGrad", "inputGrad")) {
        GemmBench g = gemm("37.11.5", impl, pass);
        float[] got = g.sgemm().toArray();
        String[] s = "37.11.5".split("\\.");
        int mm = Integer.parseInt(s[0]), kk = Integer.parseInt(s[1]), nn = Integer.parseInt(s[2]);
        float[] a = GemmBench.random(mm, pass.equals("inputGrad") ? nn : kk).toArray();
        float[] b =
            pass.equals("forward")
                ? GemmBench.random(kk, nn).toArray()
                : pass.equals("weightGrad")
                    ? GemmBench.random(mm, nn).toArray()
                    : GemmBench.random(kk, nn).toArray();
        float[] want = naive(pass, a, b, mm, kk, nn);
        assertEquals(want.length, got.length, impl + " " + pass);
        for (int i = 0; i < want.length; i++)
          assertEquals(want[i], got[i], 1e-4, impl + " " + pass + " element " + i);
      }
  }

  @Test
  void badGemmParametersAreNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> gemm("4.4.4", "cuda", "forward"));
    assertTrue(e.getMessage().contains("cuda"), e.getMessage());
  }

  @Tag("native")
  @Test
  void trainingStepLowersLossOnAFixedBatch() {
    TrainStepBench t = new TrainStepBench();
    t.model = "mobilenet-mini";
    t.batch = 8;
    t.setup();
    double first = t.step();
    double last = first;
    for (int i = 0; i < 15; i++) last = t.step();
    assertTrue(Double.isFinite(first) && last < first, "loss " + first + " -> " + last);
  }

  @Tag("native")
  @Test
  void fusedAndSeparateBnReluPoolAgree() {
    FusedBnBench b = new FusedBnBench();
    b.shape = "4.8.8.16";
    b.threads = 2;
    b.setup();
    float[] fused = b.fusedForwardBackward().toArray(),
        separate = b.separateForwardBackward().toArray();
    assertEquals(fused.length, separate.length);
    for (int i = 0; i < fused.length; i++)
      assertEquals(separate[i], fused[i], 1e-4 * Math.max(1, Math.abs(separate[i])), "dx " + i);
  }

  @Tag("native")
  @Test
  void convWithBiasInsideGemmAgreesWithoutBias() {
    // The bias starts at zero, so outputs and input gradients must match the bias-free layer.
    float[][] y = new float[2][], dx = new float[2][];
    for (int i = 0; i < 2; i++) {
      ConvBench b = new ConvBench();
      b.shape = "4.9.9.8.16";
      b.bias = i == 0;
      b.threads = 2;
      b.setup();
      y[i] = b.forward().toArray();
      dx[i] = b.forwardBackward()[0].toArray();
    }
    assertEquals(y[0].length, y[1].length);
    for (int i = 0; i < y[0].length; i++) assertEquals(y[1][i], y[0][i], 1e-5, "y " + i);
    for (int i = 0; i < dx[0].length; i++) assertEquals(dx[1][i], dx[0][i], 1e-5, "dx " + i);
  }

  @Tag("native")
  @Test
  void fusedConvBnReluPoolAgreesWithTheSeparateLayers() {
    ConvBnPoolBench b = new ConvBnPoolBench();
    b.threads = 2;
    b.setup(); // throws when the fused path does not apply
    float[] fused = b.fusedForward().toArray(), separate = b.separateForward().toArray();
    assertEquals(fused.length, separate.length);
    for (int i = 0; i < fused.length; i++)
      assertEquals(separate[i], fused[i], 1e-4 * Math.max(1, Math.abs(separate[i])), "y " + i);
    assertEquals(null, b.fusedForwardBackward(), "no input gradient for a first layer");
    float[] dw = b.kernelGradient();
    assertEquals(null, b.fusedBackward());
    assertArrayEquals(dw, b.kernelGradient(), "backward alone after the same forward");
  }

  /**
   * The fused QAT block's pooled levels match the separate layers' but where the BN statistics'
   * rounding (moments against sums) moves a value across a level's edge: rare, and one level.
   */
  @Tag("native")
  @Test
  void fusedQatConvPoolAgreesWithTheSeparateLayers() {
    // Fresh blocks for both: a forward pass moves the output range and the moving statistics.
    QatConvPoolBench a = new QatConvPoolBench(), b = new QatConvPoolBench();
    a.threads = 2;
    b.threads = 2;
    a.layer = "conv1";
    b.layer = "conv1";
    a.setup();
    b.setup(); // throws when the fused path does not apply
    float[] separate = a.separateForward().toArray(), fused = b.fusedForward().toArray();
    assertEquals(fused.length, separate.length);
    int off = 0;
    for (int i = 0; i < fused.length; i++) {
      float d = Math.abs(separate[i] - fused[i]);
      assertTrue(d < 4f / 255 + 1e-4f, "y " + i + ": " + separate[i] + " vs " + fused[i]);
      if (d > 1e-4f) off++;
    }
    assertTrue(off <= fused.length / 1000, off + " of " + fused.length + " levels differ");
    assertEquals(null, b.fusedForwardBackward(), "no input gradient for a first layer");
  }

  private static GemmBench gemm(String shape, String impl, String pass) {
    GemmBench g = new GemmBench();
    g.shape = shape;
    g.impl = impl;
    g.pass = pass;
    g.threads = 1;
    g.setup();
    return g;
  }

  /** forward: A[M,K]·B[K,N]; weightGrad: A[M,K]ᵀ·B[M,N]; inputGrad: A[M,N]·B[K,N]ᵀ. */
  private static float[] naive(String pass, float[] a, float[] b, int mm, int kk, int nn) {
    int rows = pass.equals("weightGrad") ? kk : mm, cols = pass.equals("inputGrad") ? kk : nn;
    int inner = pass.equals("forward") ? kk : pass.equals("weightGrad") ? mm : nn;
    float[] c = new float[rows * cols];
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) {
        double s = 0;
        for (int p = 0; p < inner; p++) {
          double x = pass.equals("weightGrad") ? a[p * kk + i] : a[i * inner + p];
          double y = pass.equals("inputGrad") ? b[j * nn + p] : b[p * cols + j];
          s += x * y;
        }
        c[i * cols + j] = (float) s;
      }
    return c;
  }

  /** The fused QAT conv2 block (BlockPoolQat) gives the separate layers' values bit for bit. */
  @Tag("native")
  @Test
  void fusedQatConv2PoolEqualsTheSeparateLayers() {
    QatConvPoolBench a = new QatConvPoolBench(), b = new QatConvPoolBench();
    a.threads = 2;
    b.threads = 2;
    a.layer = "conv2";
    b.layer = "conv2";
    a.setup();
    b.setup(); // throws when the fused path does not apply
    assertArrayEquals(a.separateForward().toArray(), b.fusedForward().toArray());
    float[] separate = a.separateForwardBackward()[0].toArray();
    assertArrayEquals(separate, b.fusedForwardBackward().toArray(), "input gradient");
  }
}
