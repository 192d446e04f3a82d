package org.qat4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.gemm.JavaGemm;
import org.qat4j.core.gemm.OpenBlasGemm;

/**
 * The two sgemm paths (OpenBLAS through JavaCPP, pure Java) on the im2col shapes the layers issue:
 * forward {@code cols[M,K]·W[K,N]}, weight gradient {@code colsᵀ·dY} and input gradient {@code
 * dY·Wᵀ}. Shapes "M.K.N": reference CNN at batch 64 (conv1, conv2, dense1) and
 * MobileNetV1/ResNet-50 layers at batch 1 (224 input). Time per call; GFLOP/s = 2·M·N·K / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GemmBench {
  @Param({"43264.9.32", "7744.288.64", "64.1600.128", "3136.64.128", "3136.576.64"})
  public String shape;

  @Param({"openblas", "java"})
  public String impl;

  @Param({"forward", "weightGrad", "inputGrad"})
  public String pass;

  @Param({"1"})
  public int threads;

  private Gemm gemm;
  private Tensor a, b, c;
  private int m, n, k;
  private boolean ta, tb;

  @Setup
  public void setup() {
    String[] s = shape.split("\\.");
    int mm = Integer.parseInt(s[0]), kk = Integer.parseInt(s[1]), nn = Integer.parseInt(s[2]);
    gemm =
        switch (impl) {
          case "openblas" -> new OpenBlasGemm();
          case "java" -> new JavaGemm();
          default ->
              throw new IllegalArgumentException("impl must be openblas or java, got " + impl);
        };
    gemm.setThreads(threads);
    switch (pass) {
      case "forward" -> {
        m = mm;
        k = kk;
        n = nn;
        a = random(mm, kk);
        b = random(kk, nn);
      }
      case "weightGrad" -> {
        m = kk;
        k = mm;
        n = nn;
        ta = true;
        a = random(mm, kk);
        b = random(mm, nn);
      }
      case "inputGrad" -> {
        m = mm;
        k = nn;
        n = kk;
        tb = true;
        a = random(mm, nn);
        b = random(kk, nn);
      }
      default ->
          throw new IllegalArgumentException(
              "pass must be forward, weightGrad or inputGrad, got " + pass);
    }
    c = Tensor.zeros(m, n);
  }

  @Benchmark
  public Tensor sgemm() {
    gemm.sgemm(ta, tb, m, n, k, 1f, a, 0, ta ? m : k, b, 0, tb ? k : n, 0f, c, 0, n);
    return c;
  }

  static Tensor random(int rows, int cols) {
    SplittableRandom r = new SplittableRandom(rows * 31L + cols);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) v[i] = (float) r.nextDouble(-1, 1);
    return Tensor.of(v, rows, cols);
  }
}
