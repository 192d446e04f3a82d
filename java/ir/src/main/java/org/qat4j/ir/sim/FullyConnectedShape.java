package org.qat4j.ir.sim;

import java.util.Arrays;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.OpSpec;
import org.qat4j.ir.TensorSpec;

/** The output shape rule of FULLY_CONNECTED, with and without keep_num_dims. */
final class FullyConnectedShape {
  private FullyConnectedShape() {}

  /**
   * FULLY_CONNECTED output: [rows, units], or with keep_num_dims the input's shape with its last
   * dimension (which must equal the weights' input size) replaced by units.
   */
  static void check(OpSpec op, TensorSpec x, TensorSpec y, int[] ws) {
    if (ws.length != 2)
      throw new IllegalArgumentException("weights must be [units, in], got " + Arrays.toString(ws));
    int[] xs = x.shape();
    boolean keep = op.options(OpOptions.FullyConnected.class).keepNumDims();
    if (keep && (xs.length == 0 || xs[xs.length - 1] != ws[1]))
      throw new IllegalArgumentException(
          "keep_num_dims needs the input's last dimension "
              + Arrays.toString(xs)
              + " to equal "
              + ws[1]);
    if (ws[1] == 0 || x.elements() % ws[1] != 0) return; // reported by the kernel
    int[] want = keep ? xs.clone() : new int[] {x.elements() / ws[1], ws[0]};
    want[want.length - 1] = ws[0];
    if (keep ? !Arrays.equals(y.shape(), want) : y.elements() != Layout.elements(want))
      throw new IllegalArgumentException(
          "output shape " + Arrays.toString(y.shape()) + " does not fit " + Arrays.toString(want));
  }
}
