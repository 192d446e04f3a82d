package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * ARG_MAX / ARG_MIN of TFLite's builtin kernel: the index along one axis of the first extreme value
 * (a later equal value does not replace it), compared on the raw stored values, so quantized
 * tensors need no dequantization (the affine map is increasing). Values are in row-major order; the
 * caller owns the arrays and writes the indices into an INT32 or INT64 output.
 */
final class ArgMinMaxKernels {
  private ArgMinMaxKernels() {}

  /**
   * The kernel of one ARG_MAX/ARG_MIN: input 0 (FLOAT32, INT32, INT8 or UINT8), axis input 1 (an
   * INT32 or INT64 scalar or [1], read when the op runs), output the input's shape without that
   * axis, typed as the options say.
   */
  static Simulator.Kernel create(LoweredGraph g, OpSpec op) {
    int[] in = op.inputs();
    if (in.length != 2) throw new IllegalArgumentException("needs 2 inputs, got " + in.length);
    TensorSpec x = g.tensor(in[0]), a = g.tensor(in[1]), y = g.tensor(op.outputs()[0]);
    DType want = op.options(OpOptions.ArgMinMax.class).outputType();
    if (y.type() != want || (want != DType.INT32 && want != DType.INT64))
      throw new IllegalArgumentException(
          "output '" + y.name() + "' is " + y.type() + ", options say " + want + " (INT32/INT64)");
    if ((a.type() != DType.INT32 && a.type() != DType.INT64) || a.elements() != 1)
      throw new IllegalArgumentException("axis '" + a.name() + "' must be one INT32/INT64 value");
    if (x.type() != DType.FLOAT32 && x.type() != DType.INT32 && !Simulator.isQuantized(x))
      throw new IllegalArgumentException("input type " + x.type() + " is not simulated");
    int[] shape = x.shape();
    int xi = in[0], ai = in[1], yi = op.outputs()[0];
    boolean max = op.kind() == OpKind.ARG_MAX, flt = x.type() == DType.FLOAT32;
    return v -> {
      int axis = ((int[]) v[ai])[0];
      int[] r =
          flt
              ? argFloat((float[]) v[xi], shape, axis, max)
              : argInt((int[]) v[xi], shape, axis, max);
      if (r.length != y.elements())
        throw new IllegalArgumentException(
            "output '" + y.name() + "' has " + y.elements() + " elements, expected " + r.length);
      System.arraycopy(r, 0, v[yi], 0, r.length);
    };
  }

  /**
   * Indices of the maximum ({@code max}) or minimum along {@code axis} of a tensor of {@code shape}
   * (int values).
   */
  static int[] argInt(int[] x, int[] shape, int axis, boolean max) {
    int[] d = split(shape, axis);
    int outer = d[0], n = d[1], inner = d[2];
    int[] out = new int[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * n * inner + i, best = 0, bestV = x[base];
        for (int k = 1; k < n; k++) {
          int v = x[base + k * inner];
          if (max ? v > bestV : v < bestV) {
            bestV = v;
            best = k;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return out;
  }

  /** Float32 variant; NaN never wins a comparison, as in the C kernel. */
  static int[] argFloat(float[] x, int[] shape, int axis, boolean max) {
    int[] d = split(shape, axis);
    int outer = d[0], n = d[1], inner = d[2];
    int[] out = new int[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * n * inner + i, best = 0;
        float bestV = x[base];
        for (int k = 1; k < n; k++) {
          float v = x[base + k * inner];
          if (max ? v > bestV : v < bestV) {
            bestV = v;
            best = k;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return out;
  }

  /** {outer, axis size, inner}; a negative axis counts from the end, as TFLite allows. */
  private static int[] split(int[] shape, int axis) {
    int a = axis < 0 ? axis + shape.length : axis;
    if (a < 0 || a >= shape.length)
      throw new IllegalArgumentException("axis " + axis + " out of range for rank " + shape.length);
    if (shape[a] < 1) throw new IllegalArgumentException("axis " + axis + " has size " + shape[a]);
    int outer = 1, inner = 1;
    for (int i = 0; i < a; i++) outer *= shape[i];
    for (int i = a + 1; i < shape.length; i++) inner *= shape[i];
    return new int[] {outer, shape[a], inner};
  }
}
