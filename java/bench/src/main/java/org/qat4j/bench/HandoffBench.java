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
import org.qat4j.ir.internal.Parallel;

/**
 * The cost of one {@link Parallel#forRange} region: {@code crew} (the persistent workers) against
 * {@code pool} (the cached pool with a Future per chunk, forced with {@code
 * -Dqat4j.parallel.handoff=pool}). The body sums {@code work} floats split into chunks (0: an empty
 * body over one index per chunk); {@code gapMicros} of serial spinning on the caller before each
 * region lets idle workers park first, as between a training step's parallel loops (the gap is part
 * of the time per op). Time per region.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class HandoffBench {
  @Param({"2"})
  public int threads;

  @Param({"0", "65536"})
  public int work;

  @Param({"0", "200"})
  public int gapMicros;

  private float[] x;
  private float[] partial;

  @Setup
  public void setup() {
    Parallel.setThreads(threads);
    x = RandomBatch.uniform(3, Math.max(work, threads)).toArray();
    partial = new float[threads];
  }

  @Benchmark
  public float crew() {
    return region();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-Dqat4j.parallel.handoff=pool")
  public float pool() {
    return region();
  }

  private float region() {
    if (gapMicros > 0) {
      long end = System.nanoTime() + gapMicros * 1000L;
      while (System.nanoTime() < end) Thread.onSpinWait();
    }
    int n = x.length, t = Math.min(threads, n);
    Parallel.forRange(
        n,
        threads,
        (lo, hi) -> {
          float s = 0;
          for (int i = lo; i < hi; i++) s += x[i];
          partial[Parallel.chunkOf(lo, n, t)] = s;
        });
    float sum = 0;
    for (int c = 0; c < t; c++) sum += partial[c];
    return sum;
  }
}
