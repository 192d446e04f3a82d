package org.qat4j.ir.sim;

import org.qat4j.ir.DType;
import org.qat4j.ir.TensorSpec;

/**
 * Conversions between the simulator's internal tensor values (float[] for FLOAT32, int[] holding
 * the integer value for INT8/UINT8/INT32/INT64) and the external API forms (float[], byte[], int[],
 * long[] for INT64, short[] for INT16; the simulator's INT64 values are indices, which fit in an
 * int).
 */
final class Values {
  private Values() {}

  static Object internal(TensorSpec t) {
    Object d = t.data();
    if (d instanceof float[] f) return f;
    if (d instanceof int[] i) return i;
    if (d instanceof long[] l) return narrow(t, l);
    byte[] b = (byte[]) d;
    int[] r = new int[b.length];
    boolean u = t.type() == DType.UINT8;
    for (int i = 0; i < b.length; i++) r[i] = u ? b[i] & 0xFF : b[i];
    return r;
  }

  /**
   * An INT64 constant as the simulator's int values: its entries are axes, positions or sizes,
   * which index int-sized tensors, so one beyond the int range is refused.
   */
  private static int[] narrow(TensorSpec t, long[] l) {
    int[] r = new int[l.length];
    for (int i = 0; i < l.length; i++) {
      if (l[i] != (int) l[i])
        throw new IllegalArgumentException(
            "INT64 constant '"
                + t.name()
                + "' entry "
                + i
                + " = "
                + l[i]
                + " is beyond the int range");
      r[i] = (int) l[i];
    }
    return r;
  }

  static Object allocInternal(TensorSpec t) {
    return t.type() == DType.FLOAT32 ? new float[t.elements()] : new int[t.elements()];
  }

  static Object allocExternal(TensorSpec t, int n) {
    int len = Math.multiplyExact(t.elements(), n);
    return switch (t.type()) {
      case FLOAT32 -> new float[len];
      case INT8, UINT8 -> new byte[len];
      case INT32 -> new int[len];
      case INT64 -> new long[len];
      case INT16 -> new short[len];
      default ->
          throw new IllegalArgumentException(
              "tensor '" + t.name() + "': unsupported type " + t.type());
    };
  }

  static Object external(TensorSpec t, Object internal) {
    Object r = allocExternal(t, 1);
    writeExternal(t, internal, r, 0);
    return r;
  }

  /** Writes the internal value of one sample into slot {@code s} of an external batch array. */
  static void writeExternal(TensorSpec t, Object internal, Object dst, int s) {
    int n = t.elements(), off = s * n;
    if (dst instanceof float[] f) System.arraycopy((float[]) internal, 0, f, off, n);
    else if (dst instanceof int[] i) System.arraycopy((int[]) internal, 0, i, off, n);
    else if (dst instanceof long[] l) {
      int[] src = (int[]) internal;
      for (int k = 0; k < n; k++) l[off + k] = src[k];
    } else if (dst instanceof short[] h) {
      int[] src = (int[]) internal;
      for (int k = 0; k < n; k++) h[off + k] = (short) src[k];
    } else {
      byte[] b = (byte[]) dst;
      int[] src = (int[]) internal;
      for (int k = 0; k < n; k++) b[off + k] = (byte) src[k];
    }
  }

  /** Reads sample {@code s} of an external batch array into an internal value. */
  static void readExternal(TensorSpec t, Object src, int s, Object internal) {
    int n = t.elements(), off = s * n;
    if (src instanceof float[] f) System.arraycopy(f, off, (float[]) internal, 0, n);
    else if (src instanceof int[] i) System.arraycopy(i, off, (int[]) internal, 0, n);
    else if (src instanceof long[] l) {
      int[] dst = (int[]) internal;
      for (int k = 0; k < n; k++) dst[k] = Math.toIntExact(l[off + k]);
    } else if (src instanceof short[] h) {
      int[] dst = (int[]) internal;
      for (int k = 0; k < n; k++) dst[k] = h[off + k];
    } else {
      byte[] b = (byte[]) src;
      int[] dst = (int[]) internal;
      boolean u = t.type() == DType.UINT8;
      for (int k = 0; k < n; k++) dst[k] = u ? b[off + k] & 0xFF : b[off + k];
    }
  }

  static void checkExternal(TensorSpec t, Object v, int n, String what) {
    if (v == null) throw new IllegalArgumentException(what + " ('" + t.name() + "') is null");
    String want =
        switch (t.type()) {
          case FLOAT32 -> v instanceof float[] ? null : "float[]";
          case INT8, UINT8 -> v instanceof byte[] ? null : "byte[]";
          case INT32 -> v instanceof int[] ? null : "int[]";
          case INT64 -> v instanceof long[] ? null : "long[]";
          case INT16 -> v instanceof short[] ? null : "short[]";
          default -> "a supported type (" + t.type() + " is not)";
        };
    if (want != null)
      throw new IllegalArgumentException(
          what
              + " ('"
              + t.name()
              + "', "
              + t.type()
              + ") must be "
              + want
              + ", got "
              + v.getClass().getSimpleName());
    int len = length(v);
    long need = (long) t.elements() * n;
    if (len != need) {
      throw new IllegalArgumentException(
          what
              + " ('"
              + t.name()
              + "') has "
              + len
              + " elements, expected "
              + need
              + " ("
              + n
              + " × "
              + java.util.Arrays.toString(t.shape())
              + ")");
    }
  }

  private static int length(Object v) {
    if (v instanceof float[] f) return f.length;
    if (v instanceof byte[] b) return b.length;
    if (v instanceof short[] h) return h.length;
    return v instanceof long[] l ? l.length : ((int[]) v).length;
  }
}
