package org.qat4j.bench;

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
import org.qat4j.ir.internal.Parallel;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.LastValueQuantizer;
import org.qat4j.quant.quantizers.MovingAverageQuantizer;

/**
 * One per-tensor fake-quant in training (range observed, then mask and quantized values) on the QAT
 * models' sizes: 50,176 (the input batch), 100,352 (MobileNetMini's ir_add), 204,800 (the reference
 * CNN's dense1 kernel). {@code activation} is an 8-bit moving-average output quantizer, {@code
 * weight} dense1's symmetric narrow-range last-value kernel quantizer. Time per call; the forks add
 * jdk.incubator.vector, and {@code -jvmArgsAppend -Dqat4j.vector=false} times the plain loops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class FakeQuantBench {
  @Param({"50176", "100352", "204800"})
  public int size;

  @Param({"1"})
  public int threads;

  private FakeQuantizer activation;
  private FakeQuantizer weight;
  private Tensor x;
  private Tensor out;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    activation = new FakeQuantizer("bench/output_quant", MovingAverageQuantizer.int8(), 1);
    weight =
        new FakeQuantizer("bench/kernel_quant", new LastValueQuantizer(8, false, true, true), 1);
    x = RandomBatch.uniform(7, size);
    out = Tensor.zeros(size);
  }

  @Benchmark
  public Tensor activationTraining() {
    return activation.apply(x, out, true);
  }

  @Benchmark
  public Tensor weightTraining() {
    return weight.apply(x, out, true);
  }
}
