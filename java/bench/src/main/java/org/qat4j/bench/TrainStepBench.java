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
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.SoftmaxCrossEntropy;

/**
 * One training step (forward, softmax cross-entropy, backward, Adam update) as the Trainer runs it,
 * on the reference CNN or MobileNetMini, NHWC [batch, 28, 28, 1] inputs with random labels and the
 * process-default GEMM path ({@code -Dqat4j.gemm=java} forces pure Java). Time per step; images/s =
 * batch / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {
      "-Xmx2g",
      "--enable-native-access=ALL-UNNAMED",
      "--add-modules",
      "jdk.incubator.vector"
    })
public class TrainStepBench {
  @Param({"reference-cnn", "mobilenet-mini"})
  public String model;

  @Param({"64"})
  public int batch;

  private Model m;
  private Adam adam;
  private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy();
  private Tensor x;
  private int[] labels;
  private long step;

  @Setup
  public void setup() {
    m = RandomBatch.model(model);
    adam = new Adam(1e-3);
    RandomBatch b = RandomBatch.of(batch, 5);
    x = b.x();
    labels = b.labels();
  }

  @Benchmark
  public double step() {
    ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(step++));
    double l = loss.forward(m.forward(x, ctx), labels);
    m.backward(loss.gradient(), ctx);
    adam.step(m.params());
    return l;
  }
}
