package org.qat4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.ir.internal.Parallel;
import org.qat4j.ir.internal.VectorApi;

/**
 * Thread CPU time (robust on a shared machine) of a first-layer Conv2D's forward and backward
 * (weight and bias gradients) on one thread: medians in ms over the rounds. The path is the one
 * Conv2D picks: the Vector API direct convolution when started with {@code --add-modules
 * jdk.incubator.vector}, im2col + OpenBLAS with {@code -Dqat4j.vector=false} or without the module;
 * run both as a concurrent pair for the same load. Usage: [rounds] [iterations per round] [shapes
 * "N.H.W.C.filters.stride.padding.k" (k x k window), default as {@link VectorConvBench}].
 */
public final class VectorConvCpu {
  private VectorConvCpu() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int iters = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Parallel.setThreads(1);
    Gemm.get().setThreads(1);
    String[] shapes = {"64.28.28.1.32.1.VALID.3", "64.28.28.1.16.2.SAME.3"};
    if (args.length > 2) shapes = Arrays.copyOfRange(args, 2, args.length);
    for (String shape : shapes) run(shape, rounds, iters, VectorApi.on() ? "vector" : "im2col");
  }

  private static void run(String shape, int rounds, int iters, String path) {
    String[] s = shape.split("\\.");
    int n = Integer.parseInt(s[0]), h = Integer.parseInt(s[1]), w = Integer.parseInt(s[2]);
    int c = Integer.parseInt(s[3]), f = Integer.parseInt(s[4]), stride = Integer.parseInt(s[5]);
    int k = Integer.parseInt(s[7]);
    Conv2D conv = new Conv2D("conv", f, k, k).strides(stride, stride);
    conv.padding(Padding.valueOf(s[6]));
    int[] in = {h, w, c};
    int[] out = conv.outputShape(in);
    conv.build(new int[][] {in}, new SplittableRandom(1));
    Tensor x = RandomBatch.uniform(3, n, h, w, c),
        gy = RandomBatch.uniform(4, n, out[0], out[1], out[2]);
    ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    double[][] t = new double[2][rounds];
    for (int r = -3; r < rounds; r++) {
      long fwd = 0, bwd = 0;
      for (int i = 0; i < iters; i++) {
        long t0 = bean.getCurrentThreadCpuTime();
        conv.forward(new Tensor[] {x}, ctx);
        long t1 = bean.getCurrentThreadCpuTime();
        conv.backward(gy, ctx, new boolean[] {false});
        bwd += bean.getCurrentThreadCpuTime() - t1;
        fwd += t1 - t0;
      }
      if (r >= 0) {
        t[0][r] = fwd / 1e6 / iters;
        t[1][r] = bwd / 1e6 / iters;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%s  %s fwd %.3f bwd %.3f ms (thread CPU, medians)%n",
        shape,
        path,
        median(t[0]),
        median(t[1]));
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
