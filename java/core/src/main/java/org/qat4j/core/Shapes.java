package org.qat4j.core;

import java.util.Arrays;

/** Shape arithmetic helpers. */
public final class Shapes {
  private Shapes() {}

  public static int size(int... shape) {
    long n = 1;
    for (int d : shape) {
      if (d < 0)
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      n *= d;
      if (n > Integer.MAX_VALUE)
        throw new IllegalArgumentException("shape too large: " + Arrays.toString(shape));
    }
    return (int) n;
  }

  public static int offset(int[] shape, int... idx) {
    if (idx.length != shape.length)
      throw new IllegalArgumentException("index rank " + idx.length + " != " + shape.length);
    int off = 0;
    for (int i = 0; i < shape.length; i++) {
      if (idx[i] < 0 || idx[i] >= shape[i])
        throw new IndexOutOfBoundsException(
            "index " + Arrays.toString(idx) + " outside " + Arrays.toString(shape));
      off = off * shape[i] + idx[i];
    }
    return off;
  }

  /** Prepends the batch dimension to a per-sample shape. */
  public static int[] withBatch(int batch, int[] sample) {
    int[] s = new int[sample.length + 1];
    s[0] = batch;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  public static int[] dropBatch(int[] shape) {
    return Arrays.copyOfRange(shape, 1, shape.length);
  }

  public static String str(int[] s) {
    return Arrays.toString(s);
  }
}
