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
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.BnActPool;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.ConvBnPool;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.ir.internal.Parallel;

/**
 * The reference CNN's first block in training mode, conv1 (3x3 SAME, 1 → 32 filters on a [64, 28,
 * 28, 1] batch) → BN → ReLU → MaxPool 2×2: fused ({@link ConvBnPool}, BN statistics from the
 * input's moments) against the path it replaces, the conv on its own (VectorConv) then {@link
 * BnActPool}. Time per call; backward skips the conv's input gradient, as Model does for a first
 * layer; {@code fusedBackward} times the backward pass alone (after setup's forward). Needs
 * jdk.incubator.vector, which the forks add.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class ConvBnPoolBench {
  @Param({"1", "2"})
  public int threads;

  private Conv2D conv;
  private BnActPool bnPool;
  private ConvBnPool fused;
  private Tensor x, gy;
  private ExecContext ctx;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    int[] in = {28, 28, 1};
    conv = new Conv2D("conv1", 32, 3, 3).padding(Padding.SAME);
    conv.outputShape(in);
    conv.build(new int[][] {in}, new SplittableRandom(1));
    BatchNormalization bn = new BatchNormalization("bn1");
    bn.build(new int[][] {{28, 28, 32}}, new SplittableRandom(2));
    ReLU relu = new ReLU("relu1");
    MaxPool2D pool = new MaxPool2D("pool1", 2, 2);
    pool.outputShape(new int[] {28, 28, 32});
    bnPool = BnActPool.match(bn, relu, pool);
    fused = ConvBnPool.match(conv, bn, relu, pool);
    x = RandomBatch.of(64, 3).x();
    gy = RandomBatch.uniform(4, 64, 14, 14, 32);
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    if (!fused.use(true, false, ctx))
      throw new IllegalStateException("the fused path does not apply");
    fused.forward(x, ctx);
  }

  /** The conv's kernel gradient after the last backward pass. */
  float[] kernelGradient() {
    return conv.kernel().grad().toArray();
  }

  @Benchmark
  public Tensor fusedForward() {
    return fused.forward(x, ctx);
  }

  @Benchmark
  public Tensor fusedForwardBackward() {
    fused.forward(x, ctx);
    return fused.backward(gy, ctx, false);
  }

  @Benchmark
  public Tensor fusedBackward() {
    return fused.backward(gy, ctx, false);
  }

  @Benchmark
  public Tensor separateForward() {
    return bnPool.forward(conv.forward(new Tensor[] {x}, ctx), ctx);
  }

  @Benchmark
  public Tensor[] separateForwardBackward() {
    separateForward();
    return conv.backward(bnPool.backward(gy, true), ctx, new boolean[] {false});
  }
}
