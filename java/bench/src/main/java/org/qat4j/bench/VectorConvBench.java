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
import org.qat4j.core.layers.Padding;
import org.qat4j.ir.internal.Parallel;

/**
 * A first-layer 3x3 Conv2D with bias in training mode on "N.H.W.C.filters.stride.padding": the
 * reference CNN's conv1 (64.28.28.1.32.1.VALID) and MobileNetMini's stem (64.28.28.1.16.2.SAME).
 * The forks add jdk.incubator.vector, so Conv2D runs the direct Vector API path (VectorConv);
 * {@code -jvmArgsAppend --enable-native-access=ALL-UNNAMED} on the command line replaces that and
 * times im2col + OpenBLAS. forwardBackward computes the weight and bias gradients only (the model
 * input needs no gradient). OpenBLAS at 1 thread under qat4j's split over {@code threads}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class VectorConvBench {
  @Param({"64.28.28.1.32.1.VALID", "64.28.28.1.16.2.SAME"})
  public String shape;

  @Param({"1"})
  public int threads;

  private Conv2D conv;
  private Tensor x, gy;
  private ExecContext ctx;
  private final boolean[] needInput = {false};

  @Setup
  public void setup() {
    String[] s = shape.split("\\.");
    int n = Integer.parseInt(s[0]),
        h = Integer.parseInt(s[1]),
        w = Integer.parseInt(s[2]),
        c = Integer.parseInt(s[3]),
        f = Integer.parseInt(s[4]),
        stride = Integer.parseInt(s[5]);
    Parallel.setThreads(threads);
    Gemm.get().setThreads(1);
    conv = new Conv2D("conv", f, 3, 3).strides(stride, stride).padding(Padding.valueOf(s[6]));
    int[] in = {h, w, c};
    int[] out = conv.outputShape(in);
    conv.build(new int[][] {in}, new SplittableRandom(1));
    x = RandomBatch.uniform(3, n, h, w, c);
    gy = RandomBatch.uniform(4, n, out[0], out[1], out[2]);
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
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
