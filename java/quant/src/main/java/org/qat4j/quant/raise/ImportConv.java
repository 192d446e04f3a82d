package org.qat4j.quant.raise;

import java.util.Arrays;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Flatten;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.TensorInfo;

/**
 * The weighted operators (CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED) as core
 * layers, their weights converted from TFLite layouts (OHWI, 1HWC, [out, in]) to core layouts.
 */
final class ImportConv {
  private ImportConv() {}

  static Node conv(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] ins = op.inputs();
    TensorInfo w = x.constant(ins[1], "filter");
    int[] ws = w.shape(); // OHWI
    boolean bias = ins.length > 2 && ins[2] >= 0;
    Conv2D c =
        new Conv2D(n, ws[0], ws[1], ws[2])
            .strides(x.opt(op, "stride_h"), x.opt(op, "stride_w"))
            .dilation(x.opt(op, "dilation_h_factor"), x.opt(op, "dilation_w_factor"))
            .padding(x.padding(op))
            .useBias(bias)
            .activation(ImportActivations.fused(x, op));
    Node node = x.g.add(c, x.node(ins[0]));
    float[] dst = ohwiToHwio(x.floats(w), ws);
    x.copy(c.kernel().value(), dst, "filter");
    if (bias) x.copy(c.bias().value(), x.floats(x.constant(ins[2], "bias")), "bias");
    return node;
  }

  /** OHWI [o, kh, kw, i] weights as HWIO [kh, kw, i, o] (the core layout). */
  private static float[] ohwiToHwio(float[] src, int[] ws) {
    float[] dst = new float[src.length];
    int o = ws[0], kh = ws[1], kw = ws[2], ci = ws[3];
    for (int a = 0; a < o; a++)
      for (int h = 0; h < kh; h++)
        for (int x = 0; x < kw; x++)
          for (int i = 0; i < ci; i++)
            dst[((h * kw + x) * ci + i) * o + a] = src[((a * kh + h) * kw + x) * ci + i];
    return dst;
  }

  /**
   * TRANSPOSE_CONV (inputs output shape, OHWI weights, data, bias) as a Conv2DTranspose; refused
   * when the output size is not Keras's for that padding (an output_padding the layer lacks).
   */
  static Node transposeConv(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] ins = op.inputs();
    TensorInfo w = x.constant(ins[1], "filter");
    int[] ws = w.shape();
    boolean bias = ins.length > 3 && ins[3] >= 0;
    Conv2DTranspose c =
        new Conv2DTranspose(n, ws[0], ws[1], ws[2])
            .strides(x.opt(op, "stride_h"), x.opt(op, "stride_w"))
            .padding(x.padding(op))
            .useBias(bias)
            .activation(ImportActivations.fused(x, op));
    int[] want = c.outputShape(ImportGraph.perSample(x.s.tensor(ins[2])));
    if (!Arrays.equals(want, ImportGraph.perSample(out)))
      throw new ModelFormatException(
          x.where,
          "TRANSPOSE_CONV output "
              + Arrays.toString(ImportGraph.perSample(out))
              + " is not the Conv2DTranspose size "
              + Arrays.toString(want));
    Node node = x.g.add(c, x.node(ins[2]));
    x.copy(c.kernel().value(), ohwiToHwio(x.floats(w), ws), "filter");
    if (bias) x.copy(c.bias().value(), x.floats(x.constant(ins[3], "bias")), "bias");
    return node;
  }

  static Node depthwise(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] ins = op.inputs();
    TensorInfo w = x.constant(ins[1], "filter");
    int[] ws = w.shape(); // [1, kh, kw, C·mult] has the memory order of [kh, kw, C, mult]
    int channels = x.s.tensor(ins[0]).shape()[3];
    if (ws[0] != 1 || channels == 0 || ws[3] % channels != 0) {
      throw new ModelFormatException(
          x.where,
          "filter shape " + Arrays.toString(ws) + " does not fit " + channels + " input channels");
    }
    boolean bias = ins.length > 2 && ins[2] >= 0;
    DepthwiseConv2D d =
        new DepthwiseConv2D(n, ws[1], ws[2])
            .depthMultiplier(ws[3] / channels)
            .strides(x.opt(op, "stride_h"), x.opt(op, "stride_w"))
            .dilation(x.opt(op, "dilation_h_factor"), x.opt(op, "dilation_w_factor"))
            .padding(x.padding(op))
            .useBias(bias)
            .activation(ImportActivations.fused(x, op));
    Node node = x.g.add(d, x.node(ins[0]));
    x.copy(d.kernel().value(), x.floats(w), "filter");
    if (bias) x.copy(d.bias().value(), x.floats(x.constant(ins[2], "bias")), "bias");
    return node;
  }

  static Node dense(ImportGraph x, OperatorInfo op, String n, TensorInfo out) {
    int[] ins = op.inputs();
    if (Boolean.TRUE.equals(op.options().get("keep_num_dims")))
      throw new ModelFormatException(x.where, "keep_num_dims is not supported");
    TensorInfo w = x.constant(ins[1], "weights");
    int units = w.shape()[0], inDim = w.shape()[1];
    Node in = x.node(ins[0]);
    if (in.shape().length != 1) in = x.g.add(new Flatten(x.name(n + "/flatten")), in);
    boolean bias = ins.length > 2 && ins[2] >= 0;
    Dense d = new Dense(n, units).useBias(bias).activation(ImportActivations.fused(x, op));
    Node node = x.g.add(d, in);
    float[] src = x.floats(w);
    float[] dst = new float[src.length]; // [in, units]
    for (int u = 0; u < units; u++)
      for (int i = 0; i < inDim; i++) dst[i * units + u] = src[u * inDim + i];
    x.copy(d.kernel().value(), dst, "weights");
    if (bias) x.copy(d.bias().value(), x.floats(x.constant(ins[2], "bias")), "bias");
    return node;
  }
}
