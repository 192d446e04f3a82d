package org.qat4j.quant.raise;

import java.util.Arrays;
import java.util.Map;
import org.qat4j.core.layers.Cropping2D;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;

/**
 * The STRIDED_SLICEs that are a Cropping2D: a rank-4 NHWC input, strides 1, batch and channel axes
 * kept whole (masked, or begin 0 and end the full size), no ellipsis, new or shrunk axis.
 */
final class ImportCrop {
  private ImportCrop() {}

  /** The Cropping2D of STRIDED_SLICE {@code op} named {@code n}, or a refusal naming why not. */
  static Cropping2D of(ImportGraph x, OperatorInfo op, String n) {
    int[] in = x.s.tensor(op.inputs()[0]).shape();
    int[] begin = x.ints(x.constant(op.inputs()[1], "begin"));
    int[] end = x.ints(x.constant(op.inputs()[2], "end"));
    int[] strides = x.ints(x.constant(op.inputs()[3], "strides"));
    Map<String, Object> o = op.options();
    int bm = number(o, "begin_mask"), em = number(o, "end_mask");
    boolean plain =
        number(o, "ellipsis_mask") == 0
            && number(o, "new_axis_mask") == 0
            && number(o, "shrink_axis_mask") == 0
            && !Boolean.TRUE.equals(o.get("offset"));
    boolean ok = plain && in.length == 4 && begin.length == 4 && end.length == 4;
    ok = ok && Arrays.equals(strides, new int[] {1, 1, 1, 1});
    int[] b = new int[4], e = new int[4];
    for (int d = 0; ok && d < 4; d++) {
      b[d] = (bm >> d & 1) != 0 ? 0 : bound(begin[d], in[d]);
      e[d] = (em >> d & 1) != 0 ? in[d] : bound(end[d], in[d]);
      ok = b[d] < e[d] && ((d != 0 && d != 3) || (b[d] == 0 && e[d] == in[d]));
    }
    if (!ok)
      throw new ModelFormatException(
          x.where,
          "STRIDED_SLICE of "
              + Arrays.toString(in)
              + " (begin "
              + Arrays.toString(begin)
              + ", end "
              + Arrays.toString(end)
              + ", strides "
              + Arrays.toString(strides)
              + ") is not a Cropping2D (NHWC, strides 1, batch and channels whole)");
    return new Cropping2D(n, b[1], in[1] - e[1], b[2], in[2] - e[2]);
  }

  /** A begin or end index as TFLite resolves it: negative counts from the end, clamped. */
  private static int bound(int v, int size) {
    return Math.max(0, Math.min(size, v < 0 ? v + size : v));
  }

  private static int number(Map<String, Object> o, String key) {
    return o.get(key) instanceof Number v ? v.intValue() : 0;
  }
}
