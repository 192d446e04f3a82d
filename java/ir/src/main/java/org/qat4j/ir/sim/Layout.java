package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/**
 * Row-major index arithmetic shared by the data-movement kernels: strides, the source element of
 * each output element, and the copy kernel driven by such a map. Values are the simulator's
 * internal arrays (float[] or int[]), copied raw: these operators never rescale, as in TFLite.
 */
final class Layout {
  private Layout() {}

  /** Row-major strides of {@code shape} (elements). */
  static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= shape[d];
    }
    return s;
  }

  static int elements(int[] shape) {
    int n = 1;
    for (int d : shape) n *= d;
    return n;
  }

  /** Advances a row-major multi-index over {@code shape}; false after the last element. */
  static boolean next(int[] idx, int[] shape) {
    for (int d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) return true;
      idx[d] = 0;
    }
    return false;
  }

  /**
   * The source offset of each element of an output of {@code outShape}: {@code base + Σ idx[d] ·
   * step[d]}.
   */
  static int[] affineMap(int[] outShape, int base, int[] step) {
    int n = elements(outShape);
    int[] map = new int[n];
    if (n == 0) return map;
    int[] idx = new int[outShape.length];
    for (int i = 0; i < n; i++) {
      int o = base;
      for (int d = 0; d < idx.length; d++) o += idx[d] * step[d];
      map[i] = o;
      next(idx, outShape);
    }
    return map;
  }

  /** A kernel writing y[i] = x[map[i]] (tensor ids {@code xi}, {@code yi}). */
  static Simulator.Kernel gather(int xi, int yi, int[] map) {
    return v -> {
      Object x = v[xi], y = v[yi];
      if (x instanceof float[] xf) {
        float[] yf = (float[]) y;
        for (int i = 0; i < map.length; i++) yf[i] = xf[map[i]];
      } else {
        int[] xq = (int[]) x, yq = (int[]) y;
        for (int i = 0; i < map.length; i++) yq[i] = xq[map[i]];
      }
    };
  }

  /** Throws unless {@code y} has the type of {@code x} and exactly {@code shape}. */
  static void checkOutput(TensorSpec x, TensorSpec y, int[] shape, String what) {
    if (x.type() != y.type())
      throw new IllegalArgumentException(
          what + " output type " + y.type() + " != input type " + x.type());
    if (!Arrays.equals(y.shape(), shape))
      throw new IllegalArgumentException(
          what
              + " output '"
              + y.name()
              + "' has shape "
              + Arrays.toString(y.shape())
              + ", expected "
              + Arrays.toString(shape));
  }

  /** {@code axis} resolved against {@code rank} (negative counts from the end), or throws. */
  static int axis(int axis, int rank, String what) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
      throw new IllegalArgumentException(
          what + " axis " + axis + " is out of range for rank " + rank);
    return a;
  }

  /**
   * The constant INT32 (or INT64, narrowed) values of input {@code k}, or throws naming the
   * operator.
   */
  static int[] constInts(OpSpec op, Object[] consts, int k, String what) {
    int[] in = op.inputs();
    if (in.length <= k || in[k] < 0 || !(consts[in[k]] instanceof int[] a))
      throw new IllegalArgumentException(
          op.kind() + " needs a constant INT32 or INT64 " + what + " input");
    return a;
  }
}
