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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.qat4j.core.Model;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.AdamW;
import org.qat4j.core.train.Optimizer;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * One optimizer step as the trainer runs it ({@code stepIfFinite}: the finite check, then the
 * update) over a zoo model's trainable parameters (reference CNN: about 225k values), with random
 * gradients. {@code vector} switches the Vector API path (in place on the tensors' storage) against
 * the plain loops on heap copies; the forks add jdk.incubator.vector. Time per step.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class AdamBench {
  @Param({"reference-cnn"})
  public String model;

  @Param({"Adam", "AdamW"})
  public String optimizer;

  @Param({"true", "false"})
  public boolean vector;

  @Param({"1", "2"})
  public int threads;

  private Model net;
  private Optimizer opt;
  private boolean initial;

  @Setup
  public void setup() {
    initial = VectorApi.on();
    VectorApi.use(vector);
    Parallel.setThreads(threads);
    net = Zoo.create(model, 1);
    SplittableRandom r = new SplittableRandom(5);
    net.params()
        .values()
        .forEach(
            p -> {
              if (!p.trainable()) return;
              for (int i = 0; i < p.grad().size(); i++)
                p.grad().set(i, (float) (r.nextGaussian() * 1e-3));
            });
    // A tiny rate keeps the weights where they started over millions of steps.
    opt = optimizer.equals("Adam") ? new Adam(1e-9) : new AdamW(1e-9, 1e-4);
  }

  @TearDown
  public void tearDown() {
    VectorApi.use(initial);
  }

  @Benchmark
  public String step() {
    return opt.stepIfFinite(net.params()); // a new map per step, as the trainer's
  }
}
