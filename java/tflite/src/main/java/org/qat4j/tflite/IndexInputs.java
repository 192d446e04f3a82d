package org.qat4j.tflite;

import java.util.Arrays;
import org.qat4j.ir.DType;

/**
 * Model inputs that hold table indices: INT32 inputs read as GATHER positions (an int8 Embedding's
 * token ids). Their valid range is [0, rows) of the smallest gathered axis; values outside it are
 * refused here, in Java, before any executor sees them.
 */
public final class IndexInputs {
  private IndexInputs() {}

  /**
   * Per graph input of {@code s}: the number of rows its values may index (the smallest gathered
   * axis over the GATHERs reading it as positions), or −1 when it is no index input.
   */
  public static int[] limits(SubgraphInfo s) {
    int[] ins = s.inputs(), r = new int[ins.length];
    Arrays.fill(r, -1);
    for (int i = 0; i < ins.length; i++) {
      if (s.tensor(ins[i]).dtype() != DType.INT32) continue;
      for (OperatorInfo op : s.operators()) {
        int[] in = op.inputs();
        if (!op.opName().equals("GATHER") || in.length < 2 || in[1] != ins[i] || in[0] < 0)
          continue;
        int[] shape = s.tensor(in[0]).shape();
        int axis = op.options().get("axis") instanceof Integer a ? a : 0;
        if (axis < 0) axis += shape.length;
        if (axis < 0 || axis >= shape.length) continue; // the reader's checks refuse such a model
        r[i] = r[i] < 0 ? shape[axis] : Math.min(r[i], shape[axis]);
      }
    }
    return r;
  }

  /**
   * Checks {@code values} of the input named {@code what} against {@code limit} rows (−1: no
   * limit); returns them.
   *
   * @throws IllegalArgumentException naming the input, the element and the range
   */
  public static int[] check(String what, int limit, int[] values) {
    if (limit < 0) return values;
    for (int i = 0; i < values.length; i++) {
      if (values[i] < 0 || values[i] >= limit)
        throw new IllegalArgumentException(
            what
                + ": index "
                + values[i]
                + " at element "
                + i
                + " is outside [0, "
                + limit
                + ")"
                + " (the table it is looked up in has "
                + limit
                + " rows)");
    }
    return values;
  }

  /**
   * Real values as indices: each must be a whole number; then {@link #check}ed.
   *
   * @throws IllegalArgumentException naming the input and the element
   */
  public static int[] fromReal(String what, int limit, float[] real) {
    int[] v = new int[real.length];
    for (int i = 0; i < real.length; i++) {
      float x = real[i];
      if (!(x == Math.rint(x)) || Math.abs(x) > Integer.MAX_VALUE)
        throw new IllegalArgumentException(
            what + ": element " + i + " is " + x + ", not a whole number (an INT32 input)");
      v[i] = (int) x;
    }
    return check(what, limit, v);
  }
}
