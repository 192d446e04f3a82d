package org.qat4j.quant.lower;

import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.layers.Kernels;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * int8 CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and TRANSPOSE_CONV from {@link Int8Lowering}:
 * weights are the fake-quantized (folded) weights the model computes with, symmetric with zero
 * point 0 (per channel or per tensor as their quantizer), int32 biases with scale s_in·s_w[c].
 */
final class Int8Weighted {
  private Int8Weighted() {}

  /** A weighted layer inside a {@link QuantizeWrapper}: its latent kernel and bias. */
  static void wrapped(
      Int8Lowering lo, Node n, QuantizeWrapper w, Layer inner, FusedActivation post) {
    String kp = Kernels.kernelParam(inner);
    FakeQuantizer wq = w.weightQuantizers().get(kp);
    Param bias =
        inner.params().size() > 1
            ? w.latent("bias") != null ? w.latent("bias") : inner.params().get(1)
            : null;
    weighted(
        lo,
        n,
        inner,
        wq,
        w.latent(kp).value().toArray(),
        bias == null ? null : bias.value().toArray(),
        FusionPlan.fused(FusionPlan.activationOf(inner)));
  }

  /** A conv with its BatchNormalization folded: the folded kernel and bias. */
  static void convBn(Int8Lowering lo, Node n, ConvBatchNorm c) {
    weighted(
        lo,
        n,
        c.conv(),
        c.weightQuantizer(),
        c.foldedKernel().toArray(),
        c.foldedBias(),
        FusionPlan.fused(c.activation()));
  }

  /** The int32 code of a bias value with scale {@code s} (C rounding, as the converter). */
  static int biasCode(float bias, float s) {
    return (int) FakeQuant.cRound((float) (bias / (double) s));
  }

  private static void weighted(
      Int8Lowering lo,
      Node n,
      Layer conv,
      FakeQuantizer wq,
      float[] kernel,
      float[] bias,
      FusedActivation fused) {
    int x = lo.in(n, 0);
    QuantParams inQ = lo.paramsOf(x);
    WeightedOp op = WeightedOp.of(conv, n.inputs().get(0).shape());
    SamePadding sp = op.explicitSame(n.inputs().get(0).shape());
    if (sp != null) {
      x = FloatLowering.explicitPad(lo.b, n, x, sp, DType.INT8, inQ);
      op = op.withPadding("VALID");
    }
    FakeQuant.Nudged[] grids = wq.grids();
    float[] scales = new float[grids.length];
    for (int i = 0; i < grids.length; i++) scales[i] = grids[i].zero() ? 1f : grids[i].scale();
    int channels = op.channels();
    byte[] q = Int8Checks.quantizeKernel(kernel, grids, wq.rule().perAxis(), scales, channels);
    QuantParams wParams =
        grids.length > 1
            ? QuantParams.perAxis(scales, op.channelDim())
            : QuantParams.perTensor(scales[0], 0);
    int wt =
        lo.b.addTensor(
            new TensorSpec(
                n.name() + "/weights", op.shape(), DType.INT8, wParams, toTflite(op, q)));
    int[] qb = new int[channels];
    float[] bScales = new float[channels];
    for (int c = 0; c < channels; c++) {
      bScales[c] = inQ.scale() * (scales.length > 1 ? scales[c] : scales[0]);
      qb[c] = bias == null ? 0 : biasCode(bias[c], bScales[c]);
    }
    QuantParams bParams =
        scales.length > 1 ? QuantParams.perAxis(bScales, 0) : QuantParams.perTensor(bScales[0], 0);
    int bt =
        lo.b.addTensor(
            new TensorSpec(n.name() + "/bias", new int[] {channels}, DType.INT32, bParams, qb));
    int[] ops = op.operands(lo.b, n.name(), FloatLowering.batch1(n.shape()), x, wt, bt);
    lo.b.addOp(op.kind(), ops, new int[] {lo.outOwn(n)}, op.options(fused));
  }

  /**
   * Reorders int8 weights from the core layout (HWIO, [kh,kw,in,mult], [in,units]) to {@code op}'s
   * TFLite layout.
   */
  private static byte[] toTflite(WeightedOp op, byte[] q) {
    float[] f = new float[q.length];
    for (int i = 0; i < q.length; i++) f[i] = q[i];
    float[] r = op.toTfliteLayout(f);
    byte[] out = new byte[r.length];
    for (int i = 0; i < r.length; i++) out[i] = (byte) r[i];
    return out;
  }
}
