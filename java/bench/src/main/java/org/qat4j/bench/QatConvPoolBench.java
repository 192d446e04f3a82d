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
import org.qat4j.core.TrainingFusion;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * The reference CNN's first QAT block in training mode, ConvBatchNorm (conv1 3x3 VALID, 1 → 32
 * filters on a [64, 28, 28, 1] batch, live BN, ReLU, int8 weight and output fake-quants) → MaxPool
 * 2×2: fused (the block's {@code fuseNext}: statistics from the input's moments, the output
 * fake-quant on the pooled values) against the two layers on their own. Time per call; backward
 * skips the conv's input gradient, as Model does for a first layer. Needs jdk.incubator.vector,
 * which the forks add.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class QatConvPoolBench {
  @Param({"1", "2"})
  public int threads;

  private ConvBatchNorm block;
  private MaxPool2D pool;
  private TrainingFusion fused;
  private Tensor x, gy;
  private ExecContext ctx;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    int[] in = {28, 28, 1};
    block =
        new ConvBatchNorm(
            new Conv2D("conv1", 32, 3, 3).useBias(false),
            true,
            new BatchNormalization("bn1"),
            Activation.RELU,
            LastValueQuantizer.int8Weights(true),
            MovingAverageQuantizer.int8());
    block.build(new int[][] {in}, new SplittableRandom(1));
    block.outputQuantizer().setRange(new float[] {0f}, new float[] {4f});
    pool = new MaxPool2D("pool1", 2, 2);
    pool.build(new int[][] {{26, 26, 32}}, new SplittableRandom(2));
    fused = block.fuseNext(pool);
    x = RandomBatch.of(64, 3).x();
    gy = RandomBatch.uniform(4, 64, 13, 13, 32);
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    if (!fused.use(true, ctx)) throw new IllegalStateException("the fused path does not apply");
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
  public Tensor separateForward() {
    return pool.forward(new Tensor[] {block.forward(new Tensor[] {x}, ctx)}, ctx);
  }

  @Benchmark
  public Tensor[] separateForwardBackward() {
    separateForward();
    return block.backward(pool.backward(gy, ctx)[0], ctx, new boolean[] {false});
  }
}
