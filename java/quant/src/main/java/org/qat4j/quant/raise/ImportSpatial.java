package org.qat4j.quant.raise;

import java.util.Arrays;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Resizing;
import org.qat4j.core.layers.UpSampling2D;
import org.qat4j.core.layers.ZeroPadding2D;
import org.qat4j.ir.OpKind;
import org.qat4j.quant.lower.Resampling;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.TensorInfo;

/** Pooling, resizing, padding, the global mean and data movement (CONCATENATION, TRANSPOSE). */
final class ImportSpatial {
  private ImportSpatial() {}

  static Node maxPool(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    return x.unary(op, pool(x, op, n, true));
  }

  static Node averagePool(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    return x.unary(op, pool(x, op, n, false));
  }

  /** A MaxPool2D ({@code max}) or AveragePool2D layer from a pool operator's options. */
  private static Layer pool(ImportGraph x, OperatorInfo op, String n, boolean max) {
    int fh = x.opt(op, "filter_height"), fw = x.opt(op, "filter_width");
    int sh = x.opt(op, "stride_h"), sw = x.opt(op, "stride_w");
    return max
        ? new MaxPool2D(n, fh, fw).strides(sh, sw).padding(x.padding(op))
        : new AveragePool2D(n, fh, fw).strides(sh, sw).padding(x.padding(op));
  }

  static Node resize(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    return x.unary(op, upSampling(x, op, n, out));
  }

  /**
   * A resize by whole factors as UpSampling2D: bilinear with half-pixel centres, or nearest that
   * picks ⌊y / factor⌋ (half-pixel centres, or no flags where TFLite's float32 scale gives the same
   * rows); other half-pixel resizes as Resizing; the rest have no core layer.
   */
  private static Layer upSampling(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] in = ImportGraph.perSample(x.s.tensor(op.inputs()[0])), o = ImportGraph.perSample(out);
    boolean bilinear = op.builtinCode() == OpKind.RESIZE_BILINEAR.builtinCode();
    boolean half = Boolean.TRUE.equals(op.options().get("half_pixel_centers"));
    boolean corners = Boolean.TRUE.equals(op.options().get("align_corners"));
    boolean image = in.length == 3 && o.length == 3 && in[0] > 0 && in[1] > 0 && o[0] > 0;
    boolean whole = image && o[0] % in[0] == 0 && o[1] % in[1] == 0 && o[1] > 0;
    int fh = whole ? o[0] / in[0] : 0, fw = whole ? o[1] / in[1] : 0;
    boolean exact =
        half
            || (!bilinear
                && !corners
                && Resampling.exactWithoutFlags(in[0], fh)
                && Resampling.exactWithoutFlags(in[1], fw));
    if (image && !whole && half && !corners) return new Resizing(n, o[0], o[1], bilinear);
    if (!whole || corners || !exact || (bilinear && !half))
      throw new ModelFormatException(
          x.where,
          op.opName()
              + " from "
              + Arrays.toString(in)
              + " to "
              + Arrays.toString(o)
              + (corners ? " with align_corners" : half ? "" : " without half-pixel centres")
              + " is not an UpSampling2D (whole factors, half-pixel centres)");
    return new UpSampling2D(n, fh, fw, bilinear);
  }

  static Node concat(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int rank = x.s.tensor(op.outputs()[0]).shape().length;
    int axis = x.opt(op, "axis");
    if (axis != -1 && axis != rank - 1)
      throw new ModelFormatException(x.where, "only the last axis is supported, got axis " + axis);
    Node[] xs = new Node[op.inputs().length];
    for (int i = 0; i < xs.length; i++) xs[i] = x.node(op.inputs()[i]);
    return x.g.add(new Concatenate(n), xs);
  }

  static Node mean(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] axes = x.ints(x.constant(op.inputs()[1], "axes"));
    Arrays.sort(axes);
    if (x.s.tensor(op.inputs()[0]).shape().length != 4 || !Arrays.equals(axes, new int[] {1, 2})) {
      throw new ModelFormatException(
          x.where,
          "only the global spatial mean (axes [1, 2] of NHWC) is supported, got "
              + Arrays.toString(axes));
    }
    boolean keep = Boolean.TRUE.equals(op.options().get("keep_dims"));
    Node in = x.node(op.inputs()[0]);
    Node gap = x.g.add(new GlobalAveragePooling2D(keep ? x.name(n + "/gap") : n), in);
    return keep ? x.g.add(new Reshape(n, ImportGraph.perSample(out)), gap) : gap;
  }

  /** TRANSPOSE with a constant permutation that keeps the batch axis first, as Permute. */
  static Node permute(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] p = x.ints(x.constant(op.inputs()[1], "perm"));
    if (p.length < 2 || p[0] != 0)
      throw new ModelFormatException(
          x.where,
          "only permutations keeping the batch axis first import, got " + Arrays.toString(p));
    return x.unary(op, new Permute(n, Arrays.copyOfRange(p, 1, p.length)));
  }

  static Node pad(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] p = x.ints(x.constant(op.inputs()[1], "paddings"));
    if (p.length != 8 || p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0) {
      throw new ModelFormatException(
          x.where, "only spatial padding of NHWC is supported, got " + Arrays.toString(p));
    }
    return x.g.add(new ZeroPadding2D(n, p[2], p[3], p[4], p[5]), x.node(op.inputs()[0]));
  }
}
