package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.TensorSpec;

/**
 * NumPy-style broadcasting of an elementwise operand to the output shape, as TFLite's broadcasting
 * binary kernels do: shapes align at their last axis and each operand dimension is 1 or equal to
 * the output's.
 */
final class Broadcast {
  private Broadcast() {}

  /** For each output element (row-major), the index of the operand element it reads. */
  static int[] map(TensorSpec a, TensorSpec out) {
    int[] as = a.shape(), os = out.shape();
    if (as.length > os.length) throw mismatch(a, out);
    int n = out.elements();
    int[] m = new int[n];
    // stride of each output axis in the operand (0 where the operand broadcasts)
    int[] stride = new int[os.length];
    int s = 1;
    for (int d = os.length - 1, k = as.length - 1; d >= 0; d--, k--) {
      int ad = k >= 0 ? as[k] : 1;
      if (ad != os[d] && ad != 1) throw mismatch(a, out);
      stride[d] = ad == 1 ? 0 : s;
      s *= ad;
    }
    int[] idx = new int[os.length];
    int off = 0;
    for (int i = 0; i < n; i++) {
      m[i] = off;
      for (int d = os.length - 1; d >= 0; d--) {
        off += stride[d];
        if (++idx[d] < os[d]) break;
        off -= stride[d] * os[d];
        idx[d] = 0;
      }
    }
    return m;
  }

  /** The output shape two operands broadcast to, checked against {@code out}'s. */
  static void check(TensorSpec a, TensorSpec b, TensorSpec out) {
    int[] as = a.shape(), bs = b.shape(), os = out.shape();
    int r = Math.max(as.length, bs.length);
    int[] want = new int[r];
    for (int d = 0; d < r; d++) {
      int x = dim(as, d, r), y = dim(bs, d, r);
      if (x != y && x != 1 && y != 1) throw mismatch(a, b);
      want[d] = x == 1 ? y : x;
    }
    if (!Arrays.equals(want, os))
      throw new IllegalArgumentException(
          "output '"
              + out.name()
              + "' has shape "
              + Arrays.toString(os)
              + ", the inputs broadcast to "
              + Arrays.toString(want));
  }

  private static int dim(int[] s, int d, int rank) {
    int k = d - (rank - s.length);
    return k < 0 ? 1 : s[k];
  }

  private static IllegalArgumentException mismatch(TensorSpec a, TensorSpec b) {
    return new IllegalArgumentException(
        "'"
            + a.name()
            + "' "
            + Arrays.toString(a.shape())
            + " does not broadcast with '"
            + b.name()
            + "' "
            + Arrays.toString(b.shape()));
  }
}
