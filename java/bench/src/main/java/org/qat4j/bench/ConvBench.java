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
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.ir.internal.Parallel;

/**
 * Conv2D 3×3 VALID in training mode on the reference CNN's shapes ("N.H.W.C.filters": conv1
 * 64.28.28.1.32, conv2 64.13.13.32.64), with the bias inside the GEMM (a constant-1 im2col column)
 * or without a bias (the lower bound: no bias work at all). forwardBackward computes the weight
 * gradients and, except for conv1 (the first layer, as Model runs it), the input gradient. OpenBLAS
 * at 1 thread under qat4j's split over {@code threads}; conv2 at 1 thread compares with the bare
 * GEMMs' time (the im2col tiles' cost on top of them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ConvBench {
  @Param({"64.28.28.1.32", "64.13.13.32.64"})
  public String shape;

  @Param({"true", "false"})
  public boolean bias;

  @Param({"1", "2"})
  public int threads;

  private Conv2D conv;
  private Tensor x, gy;
  private ExecContext ctx;
  private boolean[] needInput;

  @Setup
  public void setup() {
    String[] s = shape.split("\\.");
    int n = Integer.parseInt(s[0]),
        h = Integer.parseInt(s[1]),
        w = Integer.parseInt(s[2]),
        c = Integer.parseInt(s[3]),
        f = Integer.parseInt(s[4]);
    Parallel.setThreads(threads);
    Gemm.get().setThreads(1);
    conv = new Conv2D("conv", f, 3, 3).useBias(bias);
    int[] in = {h, w, c};
    conv.outputShape(in);
    conv.build(new int[][] {in}, new SplittableRandom(1));
    x = RandomBatch.uniform(3, n, h, w, c);
    gy = RandomBatch.uniform(4, n, h - 2, w - 2, f);
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    needInput = new boolean[] {c > 1};
  }

  @Benchmark
  public Tensor forward() {
    return conv.forward(new Tensor[] {x}, ctx);
  }

  @Benchmark
  public Tensor[] forwardBackward() {
    conv.forward(new Tensor[] {x}, ctx);
    return conv.backward(gy, ctx, needInput);
  }
}
