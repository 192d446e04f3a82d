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
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.ir.internal.Parallel;

/**
 * DepthwiseConv2D 3×3 SAME forward and backward (training mode) on MobileNet-style NHWC shapes
 * "N.H.W.C.multiplier[.stride]" (the first three are MobileNetMini's sep_dw, down_dw and ir_dw).
 * Time per call; GFLOP/s = 2·9·outputs / time (backward counts dW and dX: twice).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DepthwiseBench {
  @Param({
    "64.14.14.16.1",
    "64.14.14.32.1.2",
    "64.7.7.96.1",
    "64.14.14.32.1",
    "32.56.56.32.1",
    "64.14.14.16.2"
  })
  public String shape;

  @Param({"2"})
  public int threads;

  private DepthwiseConv2D layer;
  private Tensor x, gy;
  private ExecContext ctx;

  @Setup
  public void setup() {
    String[] s = shape.split("\\.");
    int n = Integer.parseInt(s[0]),
        h = Integer.parseInt(s[1]),
        w = Integer.parseInt(s[2]),
        c = Integer.parseInt(s[3]);
    int mult = Integer.parseInt(s[4]), stride = s.length > 5 ? Integer.parseInt(s[5]) : 1;
    Parallel.setThreads(threads);
    layer =
        new DepthwiseConv2D("dw", 3, 3)
            .padding(Padding.SAME)
            .strides(stride, stride)
            .depthMultiplier(mult);
    layer.build(new int[][] {{h, w, c}}, new SplittableRandom(1));
    x = RandomBatch.uniform(3, n, h, w, c);
    int[] out = layer.outputShape(new int[] {h, w, c});
    gy = RandomBatch.uniform(4, n, out[0], out[1], out[2]);
    ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    layer.forward(new Tensor[] {x}, ctx);
  }

  @Benchmark
  public Tensor forward() {
    return layer.forward(new Tensor[] {x}, ctx);
  }

  @Benchmark
  public Tensor[] forwardBackward() {
    layer.forward(new Tensor[] {x}, ctx);
    return layer.backward(gy, ctx);
  }
}
