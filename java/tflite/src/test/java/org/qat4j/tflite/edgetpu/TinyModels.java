package org.qat4j.tflite.edgetpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;

/**
 * Tiny models for the pre-flight rules, built with {@link LoweredGraphBuilder} and written by
 * {@link TfliteWriter}: each helper adds tensors and returns the index of its output.
 */
final class TinyModels {
  static final OpOptions.Conv D = OpOptions.Conv.DEFAULT;

  final LoweredGraphBuilder b = new LoweredGraphBuilder("main");
  final DType type;

  TinyModels(DType type) {
    this.type = type;
  }

  private QuantParams q() {
    return type == DType.FLOAT32
        ? null
        : QuantParams.perTensor(0.05f, type == DType.UINT8 ? 128 : 0);
  }

  int act(String name, int... shape) {
    return b.addTensor(TensorSpec.activation(name, shape, type, q()));
  }

  int input(int... shape) {
    int x = act("x", shape);
    b.setInputs(x);
    return x;
  }

  /**
   * 3×3 conv (OHWI weights, constant or the given tensor) with bias, SAME, to {@code outC}
   * channels.
   */
  int conv(int x, int outC, OpOptions.Conv o) {
    int[] s = b.tensor(x).shape();
    int w = weights("w" + b.tensorCount(), outC, 3, 3, s[3]);
    return convWith(x, w, outC, o);
  }

  int convWith(int x, int w, int outC, OpOptions.Conv o) {
    int[] s = b.tensor(x).shape();
    int bias = bias(outC);
    int y = act("conv" + b.tensorCount(), s[0], s[1], s[2], outC);
    b.addOp(OpKind.CONV_2D, new int[] {x, w, bias}, new int[] {y}, o.withPadding("SAME"));
    return y;
  }

  int weights(String name, int... shape) {
    int n = 1;
    for (int d : shape) n *= d;
    Object data;
    if (type == DType.FLOAT32) {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) f[i] = ((i * 7) % 11 - 5) / 10f;
      data = f;
    } else {
      byte[] v = new byte[n];
      for (int i = 0; i < n; i++) v[i] = (byte) ((i * 7) % 11 - 5);
      data = v;
    }
    return b.addTensor(
        new TensorSpec(
            name,
            shape,
            type,
            type == DType.FLOAT32 ? null : QuantParams.perTensor(0.01f, 0),
            data));
  }

  int bias(int n) {
    if (type == DType.FLOAT32)
      return b.addTensor(
          new TensorSpec("b" + b.tensorCount(), new int[] {n}, type, null, new float[n]));
    return b.addTensor(
        new TensorSpec(
            "b" + b.tensorCount(),
            new int[] {n},
            DType.INT32,
            QuantParams.perTensor(0.0005f, 0),
            new int[n]));
  }

  int maxPool(int x, FusedActivation a) {
    int[] s = b.tensor(x).shape();
    int y = act("pool" + b.tensorCount(), s[0], s[1] / 2, s[2] / 2, s[3]);
    b.addOp(
        OpKind.MAX_POOL_2D,
        new int[] {x},
        new int[] {y},
        OpOptions.Pool.DEFAULT.withFilter(2, 2).withStrides(2, 2).withActivation(a));
    return y;
  }

  int reshape(int x, int... shape) {
    int y = act("reshape" + b.tensorCount(), shape);
    b.addOp(OpKind.RESHAPE, new int[] {x}, new int[] {y}, new OpOptions.Reshape(shape));
    return y;
  }

  /** Fully connected from [.., in] to [.., out] (output shape given in full). */
  int fc(int x, int... outShape) {
    int[] s = b.tensor(x).shape();
    int out = outShape[outShape.length - 1];
    int w = weights("fcw" + b.tensorCount(), out, s[s.length - 1]);
    int y = act("fc" + b.tensorCount(), outShape);
    b.addOp(OpKind.FULLY_CONNECTED, new int[] {x, w, bias(out)}, new int[] {y}, null);
    return y;
  }

  int softmax(int x) {
    int y =
        b.addTensor(
            TensorSpec.activation(
                "probs",
                b.tensor(x).shape(),
                type,
                type == DType.FLOAT32
                    ? null
                    : QuantParams.perTensor(1f / 256, type == DType.UINT8 ? 0 : -128)));
    b.addOp(OpKind.SOFTMAX, new int[] {x}, new int[] {y}, null);
    return y;
  }

  int unary(OpKind kind, int x, DType outType) {
    QuantParams qp =
        outType == DType.FLOAT32
            ? null
            : QuantParams.perTensor(0.05f, outType == DType.UINT8 ? 128 : 0);
    int y =
        b.addTensor(
            TensorSpec.activation(
                kind.name().toLowerCase() + b.tensorCount(), b.tensor(x).shape(), outType, qp));
    b.addOp(kind, new int[] {x}, new int[] {y}, null);
    return y;
  }

  /** MEAN over the given constant axes (keep_dims). */
  int mean(int x, int[] axes, int... outShape) {
    int a =
        b.addTensor(
            new TensorSpec(
                "axes" + b.tensorCount(),
                new int[] {axes.length},
                DType.INT32,
                null,
                axes.clone()));
    int y = act("mean" + b.tensorCount(), outShape);
    b.addOp(OpKind.MEAN, new int[] {x, a}, new int[] {y}, new OpOptions.Reducer(true));
    return y;
  }

  /** RESIZE_BILINEAR of an NHWC tensor to {@code h}×{@code w} (constant INT32 size input). */
  int resizeBilinear(int x, int h, int w) {
    int size =
        b.addTensor(
            new TensorSpec(
                "size" + b.tensorCount(), new int[] {2}, DType.INT32, null, new int[] {h, w}));
    int[] s = b.tensor(x).shape();
    int y = act("resize" + b.tensorCount(), s[0], h, w, s[3]);
    b.addOp(OpKind.RESIZE_BILINEAR, new int[] {x, size}, new int[] {y}, OpOptions.Resize.DEFAULT);
    return y;
  }

  /** Writes (and re-reads) the model with {@code out} as its output. */
  byte[] bytes(int out) {
    b.setOutputs(out);
    return TfliteWriter.write(b.build());
  }

  TfliteModelInfo model(int out) {
    return TfliteReader.read(bytes(out));
  }

  static ByteBuffer le(byte[] a) {
    return ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
  }
}
