package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * MAXIMUM and MINIMUM with NumPy broadcasting, as TFLite's builtin kernel: the larger (smaller) of
 * the two stored values, compared raw for INT8/UINT8/INT32 (no requantization: TFLite expects the
 * inputs and the output to share their quantization) and as floats for FLOAT32.
 */
final class MaxMinKernels {
  private MaxMinKernels() {}

  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec a = g.tensor(in[0]), b = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    if (a.type() != b.type() || a.type() != y.type())
      throw new IllegalArgumentException("inputs and output must have one type");
    Broadcast.check(a, b, y);
    int[] ma = Broadcast.map(a, y), mb = Broadcast.map(b, y);
    int ai = in[0], bi = in[1], yi = op.outputs()[0];
    boolean max = op.kind() == OpKind.MAXIMUM;
    if (y.type() == DType.FLOAT32) {
      return v -> {
        float[] av = (float[]) v[ai], bv = (float[]) v[bi], yv = (float[]) v[yi];
        for (int i = 0; i < yv.length; i++) {
          float p = av[ma[i]], q = bv[mb[i]];
          yv[i] = max ? (p > q ? p : q) : (p < q ? p : q);
        }
      };
    }
    return v -> {
      int[] av = (int[]) v[ai], bv = (int[]) v[bi], yv = (int[]) v[yi];
      for (int i = 0; i < yv.length; i++)
        yv[i] = max ? Math.max(av[ma[i]], bv[mb[i]]) : Math.min(av[ma[i]], bv[mb[i]]);
    };
  }
}
