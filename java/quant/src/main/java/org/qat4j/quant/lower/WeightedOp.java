package org.qat4j.quant.lower;

import org.qat4j.core.Layer;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Weighted;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.TensorSpec;

/**
 * A Conv2D, DepthwiseConv2D, Dense or Conv2DTranspose layer seen as its TFLite operator: weights
 * already in TFLite layout (OHWI, [1,kh,kw,in·mult], [units,in]), the output-channel dimension of
 * that layout, the bias (null when the layer has none) and the operator options. Weights are fresh
 * copies.
 */
public record WeightedOp(
    OpKind kind,
    int[] shape,
    int channelDim,
    int channels,
    float[] weights,
    float[] bias,
    int[] strides,
    int[] dilation,
    String padding,
    int depthMultiplier) {

  /** Converts {@code l}, whose per-sample input shape is {@code inShape}. */
  public static WeightedOp of(Layer l, int[] inShape) {
    if (!(l instanceof Weighted w))
      throw new IllegalArgumentException(
          "layer '" + l.name() + "' (" + l.type() + ") has no TFLite weighted operator");
    int in = inShape[inShape.length - 1];
    return w.accept(
        new Weighted.Visitor<WeightedOp>() {
          @Override
          public WeightedOp conv2D(Conv2D c) {
            return conv(c, in);
          }

          @Override
          public WeightedOp depthwise(DepthwiseConv2D d) {
            return depthwiseConv(d, in);
          }

          @Override
          public WeightedOp dense(Dense d) {
            return fullyConnected(d, in);
          }

          @Override
          public WeightedOp conv2DTranspose(Conv2DTranspose t) {
            return transposed(t, in);
          }
        });
  }

  private static WeightedOp conv(Conv2D c, int in) {
    int[] k = c.kernelSize();
    int out = c.filters();
    float[] w = WeightLayouts.hwioToOhwi(c.kernel().value().toArray(), k[0], k[1], in, out);
    return new WeightedOp(
        OpKind.CONV_2D,
        new int[] {out, k[0], k[1], in},
        0,
        out,
        w,
        biasOf(c.bias()),
        c.strides(),
        c.dilation(),
        c.padding().name(),
        1);
  }

  /** TRANSPOSE_CONV: the [kh, kw, in, filters] kernel as OHWI [filters, kh, kw, in]. */
  private static WeightedOp transposed(Conv2DTranspose c, int in) {
    int[] k = c.kernelSize();
    int out = c.filters();
    float[] w = WeightLayouts.hwioToOhwi(c.kernel().value().toArray(), k[0], k[1], in, out);
    return new WeightedOp(
        OpKind.TRANSPOSE_CONV,
        new int[] {out, k[0], k[1], in},
        0,
        out,
        w,
        biasOf(c.bias()),
        c.strides(),
        new int[] {1, 1},
        c.padding().name(),
        1);
  }

  private static WeightedOp depthwiseConv(DepthwiseConv2D d, int in) {
    int[] k = d.kernelSize();
    int m = d.depthMultiplier();
    float[] w = WeightLayouts.depthwiseToTflite(d.kernel().value().toArray(), k[0], k[1], in, m);
    return new WeightedOp(
        OpKind.DEPTHWISE_CONV_2D,
        new int[] {1, k[0], k[1], in * m},
        3,
        in * m,
        w,
        biasOf(d.bias()),
        d.strides(),
        d.dilation(),
        d.padding().name(),
        m);
  }

  private static WeightedOp fullyConnected(Dense d, int in) {
    int units = d.units();
    float[] w = WeightLayouts.denseToTflite(d.kernel().value().toArray(), in, units);
    return new WeightedOp(
        OpKind.FULLY_CONNECTED,
        new int[] {units, in},
        0,
        units,
        w,
        biasOf(d.bias()),
        new int[] {1, 1},
        new int[] {1, 1},
        "VALID",
        1);
  }

  /**
   * {@code k}, this op's kernel in the core layout (HWIO, [kh,kw,in,mult], [in,units]), in this
   * op's TFLite layout.
   */
  float[] toTfliteLayout(float[] k) {
    return switch (kind) {
      case CONV_2D, TRANSPOSE_CONV ->
          WeightLayouts.hwioToOhwi(k, shape[1], shape[2], shape[3], shape[0]);
      case DEPTHWISE_CONV_2D ->
          WeightLayouts.depthwiseToTflite(
              k, shape[1], shape[2], shape[3] / depthMultiplier, depthMultiplier);
      default -> WeightLayouts.denseToTflite(k, shape[1], shape[0]);
    };
  }

  private static float[] biasOf(Param p) {
    return p == null ? null : p.value().toArray();
  }

  /**
   * For a SAME convolution that needs it ({@link SamePadding}), the explicit padding to emit before
   * it as a VALID convolution; else null. {@code inShape} is the per-sample input [H, W, C].
   */
  SamePadding explicitSame(int[] inShape) {
    boolean windowed = kind == OpKind.CONV_2D || kind == OpKind.DEPTHWISE_CONV_2D;
    if (!windowed || !"SAME".equals(padding)) return null;
    return SamePadding.replacement(inShape, shape[1], shape[2], strides, dilation);
  }

  /** This op with another padding. */
  WeightedOp withPadding(String p) {
    return new WeightedOp(
        kind, shape, channelDim, channels, weights, bias, strides, dilation, p, depthMultiplier);
  }

  /** This op's options record with fused activation {@code act}. */
  public OpOptions options(FusedActivation act) {
    if (kind == OpKind.CONV_2D)
      return new OpOptions.Conv(padding, strides[0], strides[1], dilation[0], dilation[1], act);
    if (kind == OpKind.DEPTHWISE_CONV_2D) {
      return new OpOptions.Depthwise(
          padding, strides[0], strides[1], dilation[0], dilation[1], depthMultiplier, act);
    }
    if (kind == OpKind.TRANSPOSE_CONV)
      return new OpOptions.TransposeConv(padding, strides[0], strides[1], act);
    return new OpOptions.FullyConnected(act, false);
  }

  /**
   * The operator's inputs: {x, weights, bias}, or TRANSPOSE_CONV's {output shape, weights, x, bias}
   * with the output shape {@code out} (batch 1) as a new INT32 constant named after {@code name}.
   */
  int[] operands(LoweredGraphBuilder b, String name, int[] out, int x, int w, int bias) {
    if (kind != OpKind.TRANSPOSE_CONV) return new int[] {x, w, bias};
    int s =
        b.addTensor(
            new TensorSpec(name + "/output_shape", new int[] {out.length}, DType.INT32, null, out));
    return new int[] {s, w, x, bias};
  }
}
