package org.qat4j.core.layers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.qat4j.core.ExecContext;
import org.qat4j.core.Tensor;
import org.qat4j.core.gemm.Gemm;
import org.qat4j.ir.internal.Parallel;

/**
 * Probe (not a test): thread CPU time per call of the fused BN → ReLU → 2×2 pool pieces on one
 * thread: the statistics pass ({@code prepare}), the fused forward (with statistics), the
 * backward's first pass ({@code backward(gy, false)}) and the whole backward. Arguments: shape
 * "N.H.W.C" (64.26.26.32) and calls (200, timed after as many warm-up calls). Prints min / median
 * in ms and hashes of the output and input gradient (equal on the plain and Vector API paths).
 */
public final class BnKernelProbe {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private BnKernelProbe() {}

  public static void main(String[] args) {
    int[] s =
        Arrays.stream((args.length > 0 ? args[0] : "64.26.26.32").split("\\."))
            .mapToInt(Integer::parseInt)
            .toArray();
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    Parallel.setThreads(1);
    BatchNormalization bn = new BatchNormalization("bn");
    bn.build(new int[][] {{s[1], s[2], s[3]}}, new SplittableRandom(1));
    MaxPool2D pool = new MaxPool2D("pool", 2, 2);
    pool.outputShape(new int[] {s[1], s[2], s[3]});
    BnActPool f = BnActPool.match(bn, new ReLU("relu"), pool);
    Tensor x = Checks.random(3, s), gy = Checks.random(4, s[0], s[1] / 2, s[2] / 2, s[3]);
    ExecContext ctx = new ExecContext(true, Gemm.get(), new SplittableRandom(0));
    long[][] t = new long[4][calls];
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < calls; i++) {
        long t0 = CPU.getCurrentThreadCpuTime();
        bn.prepare(x, ctx);
        long t1 = CPU.getCurrentThreadCpuTime();
        f.forward(x, ctx);
        long t2 = CPU.getCurrentThreadCpuTime();
        f.backward(gy, false);
        long t3 = CPU.getCurrentThreadCpuTime();
        f.backward(gy, true);
        long t4 = CPU.getCurrentThreadCpuTime();
        long[] d = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
        for (int k = 0; k < 4; k++) t[k][i] = d[k];
      }
    }
    report(args.length > 0 ? args[0] : "64.26.26.32", t, f.forward(x, ctx), f.backward(gy, true));
  }

  private static void report(String shape, long[][] t, Tensor y, Tensor dx) {
    String[] names = {"statistics", "forward", "backward_first_pass", "backward"};
    StringBuilder sb = new StringBuilder(shape + " vector=" + Lanes.vector());
    for (int k = 0; k < 4; k++) {
      Arrays.sort(t[k]);
      sb.append(
          String.format(
              Locale.ROOT, "  %s %.3f/%.3f", names[k], t[k][0] / 1e6, t[k][t[k].length / 2] / 1e6));
    }
    sb.append("  hash ").append(Arrays.hashCode(y.toArray())).append(' ');
    System.out.println(sb.append(Arrays.hashCode(dx.toArray())));
  }
}
