package org.qat4j.quant.lower;

import org.qat4j.core.Node;
import org.qat4j.core.layers.Cropping2D;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.Resizing;
import org.qat4j.core.layers.UpSampling2D;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.TensorSpec;

/**
 * UpSampling2D and Resizing as TFLite resizes, Permute as TRANSPOSE and Cropping2D as
 * STRIDED_SLICE, shared by the float and int8 lowering. Bilinear: RESIZE_BILINEAR with half-pixel
 * centres (Keras's arithmetic). Nearest: RESIZE_NEAREST_NEIGHBOR without flags (versions 1/2, which
 * the Edge TPU compiler maps) when TFLite's ⌊y · float32(in/out)⌋ picks ⌊y / factor⌋ for every
 * output row and column, else with half-pixel centres (version 3).
 */
public final class Resampling {
  private Resampling() {}

  /** Emits layer {@code l} of node {@code n} from input tensor {@code x} into output {@code y}. */
  @FunctionalInterface
  interface Emit<L> {
    void emit(LoweredGraphBuilder b, Node n, L l, int x, int y);
  }

  /**
   * Emits Cropping2D {@code l} as STRIDED_SLICE (what TFLite's converter writes for Keras's
   * slicing): begin [0, top, left, 0], end [0, H − bottom, W − right, 0], strides 1, batch and
   * channel axes masked to their full range.
   */
  static void crop(LoweredGraphBuilder b, Node n, Cropping2D l, int x, int y) {
    int[] in = n.inputs().get(0).shape(), c = l.cropping();
    int[] begin = {0, c[0], c[2], 0}, end = {0, in[0] - c[1], in[1] - c[3], 0};
    int bt = ints(b, n.name() + "/begin", begin), et = ints(b, n.name() + "/end", end);
    int st = ints(b, n.name() + "/strides", new int[] {1, 1, 1, 1});
    b.addOp(
        OpKind.STRIDED_SLICE,
        new int[] {x, bt, et, st},
        new int[] {y},
        new OpOptions.StridedSlice(0b1001, 0b1001, 0, 0, 0, false));
  }

  private static int ints(LoweredGraphBuilder b, String name, int[] v) {
    return b.addTensor(new TensorSpec(name, new int[] {v.length}, DType.INT32, null, v));
  }

  /** Emits the resize of node {@code n} (layer {@code l}) from tensor {@code x} into {@code y}. */
  static void upSample(LoweredGraphBuilder b, Node n, UpSampling2D l, int x, int y) {
    int[] in = n.inputs().get(0).shape();
    int[] f = l.size();
    int[] size = {in[0] * f[0], in[1] * f[1]};
    int st =
        b.addTensor(new TensorSpec(n.name() + "/size", new int[] {2}, DType.INT32, null, size));
    if (l.bilinear()) {
      b.addOp(
          OpKind.RESIZE_BILINEAR,
          new int[] {x, st},
          new int[] {y},
          new OpOptions.Resize(false, true));
      return;
    }
    boolean plain = exactWithoutFlags(in[0], f[0]) && exactWithoutFlags(in[1], f[1]);
    b.addOp(
        OpKind.RESIZE_NEAREST_NEIGHBOR,
        new int[] {x, st},
        new int[] {y},
        new OpOptions.Resize(false, !plain));
  }

  /** Emits Resizing {@code l} as a resize to its size with half-pixel centres (Keras's). */
  static void resize(LoweredGraphBuilder b, Node n, Resizing l, int x, int y) {
    int st = ints(b, n.name() + "/size", l.size());
    OpKind k = l.bilinear() ? OpKind.RESIZE_BILINEAR : OpKind.RESIZE_NEAREST_NEIGHBOR;
    b.addOp(k, new int[] {x, st}, new int[] {y}, new OpOptions.Resize(false, true));
  }

  /** Emits Permute {@code l} of node {@code n} as TRANSPOSE with permutation [0, dims − 1...]. */
  static void permute(LoweredGraphBuilder b, Node n, Permute l, int x, int y) {
    int[] d = l.dims();
    int[] perm = new int[d.length + 1];
    for (int i = 0; i < d.length; i++) perm[i + 1] = d[i];
    int p =
        b.addTensor(
            new TensorSpec(n.name() + "/perm", new int[] {perm.length}, DType.INT32, null, perm));
    b.addOp(OpKind.TRANSPOSE, new int[] {x, p}, new int[] {y}, null);
  }

  /** Whether TFLite's flag-free nearest index ⌊o · float32(in/out)⌋ is ⌊o / f⌋ for every o. */
  public static boolean exactWithoutFlags(int in, int f) {
    int out = in * f;
    float scale = (float) in / out;
    for (int o = 0; o < out; o++)
      if (Math.min((int) Math.floor(o * scale), in - 1) != o / f) return false;
    return true;
  }
}
