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
import org.qat4j.core.Layer;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.BnActPool;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.ReLU;
import org.qat4j.ir.internal.Parallel;

/**
 * BatchNormalization → ReLU → MaxPool 2×2 in training mode on the reference CNN's shapes
 * ("N.H.W.C": bn1 64.26.26.32, bn2 64.11.11.64), fused ({@link BnActPool}, as Model runs it)
 * against the three separate layers. Time per call; forwardBackward includes the input gradient.
 * The forks add jdk.incubator.vector (BN's Vector API kernels); {@code -jvmArgsAppend
 * --enable-native-access=ALL-UNNAMED} on the command line replaces that and times the plain loops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class FusedBnBench {
  @Param({"64.26.26.32", "64.11.11.64"})
  public String shape;

  @Param({"2"})
  public int threads;

  private BatchNormalization bn;
  private Layer relu;
  private MaxPool2D pool;
  private BnActPool fused;
  private Tensor x, gy;
  private ExecContext ctx;

  @Setup
  public void setup() {
    String[] s = shape.split("\\.");
    int n = Integer.parseInt(s[0]),
        h = Integer.parseInt(s[1]),
        w = Integer.parseInt(s[2]),
        c = Integer.parseInt(s[3]);
    Parallel.setThreads(threads);
    bn = new BatchNormalization("bn");
    bn.build(new int[][] {{h, w, c}}, new SplittableRandom(1));
    relu = new ReLU("relu");
    pool = new MaxPool2D("pool", 2, 2);
    pool.outputShape(new int[] {h, w, c});
    fused = BnActPool.match(bn, relu, pool);
    x = RandomBatch.uniform(3, n, h, w, c);
    gy = RandomBatch.uniform(4, n, h / 2, w / 2, c);
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
  }

  @Benchmark
  public Tensor fusedForward() {
    return fused.forward(x, ctx);
  }

  @Benchmark
  public Tensor fusedForwardBackward() {
    fused.forward(x, ctx);
    return fused.backward(gy, true);
  }

  @Benchmark
  public Tensor separateForward() {
    return pool.forward(
        new Tensor[] {relu.forward(new Tensor[] {bn.forward(new Tensor[] {x}, ctx)}, ctx)}, ctx);
  }

  @Benchmark
  public Tensor separateForwardBackward() {
    separateForward();
    return bn.backward(relu.backward(pool.backward(gy, ctx)[0], ctx)[0], ctx)[0];
  }
}
