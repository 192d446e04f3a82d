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
 * A reference-CNN QAT block in training mode, ConvBatchNorm (live BN, ReLU, int8 weight and output
 * fake-quants) → MaxPool 2×2, fused (the block's {@code fuseNext}) against the two layers on their
 * own. {@code layer=conv1}: conv 3x3 VALID, 1 → 32 filters on a [64, 28, 28, 1] batch, fused as
 * {@code ConvPoolQat} (statistics from the input's moments, the output fake-quant on the pooled
 * values), backward without the conv's input gradient as Model does for a first layer. {@code
 * layer=conv2}: 32 → 64 filters on [64, 13, 13, 32], fused as {@code BlockPoolQat} (the block's
 * output pass and the pool in one pass, the pool's gradient routed as the BN passes read it), with
 * the input gradient. Time per call. Needs jdk.incubator.vector, which the forks add.
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

  @Param({"conv1", "conv2"})
  public String layer;

  private ConvBatchNorm block;
  private MaxPool2D pool;
  private TrainingFusion fused;
  private Tensor x, gy;
  private ExecContext ctx;
  private boolean needInput;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    boolean first = !layer.equals("conv2");
    int[] in = first ? new int[] {28, 28, 1} : new int[] {13, 13, 32};
    int filters = first ? 32 : 64, side = in[0] - 2;
    block =
        new ConvBatchNorm(
            new Conv2D(layer, filters, 3, 3).useBias(false),
            true,
            new BatchNormalization("bn"),
            Activation.RELU,
            LastValueQuantizer.int8Weights(true),
            MovingAverageQuantizer.int8());
    block.build(new int[][] {in}, new SplittableRandom(1));
    block.outputQuantizer().setRange(new float[] {0f}, new float[] {4f});
    pool = new MaxPool2D("pool", 2, 2);
    pool.build(new int[][] {{side, side, filters}}, new SplittableRandom(2));
    fused = block.fuseNext(pool);
    x = first ? RandomBatch.of(64, 3).x() : RandomBatch.uniform(3, 64, 13, 13, 32);
    gy = RandomBatch.uniform(4, 64, side / 2, side / 2, filters);
    needInput = !first;
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    if (!fused.use(true, needInput, ctx))
      throw new IllegalStateException("the fused path does not apply");
  }

  @Benchmark
  public Tensor fusedForward() {
    return fused.forward(x, ctx);
  }

  @Benchmark
  public Tensor fusedForwardBackward() {
    fused.forward(x, ctx);
    return fused.backward(gy, ctx, needInput);
  }

  @Benchmark
  public Tensor separateForward() {
    return pool.forward(new Tensor[] {block.forward(new Tensor[] {x}, ctx)}, ctx);
  }

  @Benchmark
  public Tensor[] separateForwardBackward() {
    separateForward();
    return block.backward(pool.backward(gy, ctx)[0], ctx, new boolean[] {needInput});
  }
}
