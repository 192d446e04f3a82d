package org.qat4j.quant.lower;

import org.qat4j.core.Node;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Gelu;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.Rescaling;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.BatchNormFold;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * int8 lowering of the merge and activation layers of issue 14, reached from {@link Int8Lowering}'s
 * WRAPPED table. Each output takes the wrapper's output quantizer's params.
 */
final class Int8Elementwise {
  private Int8Elementwise() {}

  static void subtract(Int8Lowering x, Node n, FusedActivation post) {
    x.b.addOp(
        OpKind.SUB,
        new int[] {x.in(n, 0), x.in(n, 1)},
        new int[] {x.outOwn(n)},
        new OpOptions.Activated(post));
  }

  /**
   * MAXIMUM or MINIMUM compare stored values, so TFLite needs the inputs on the output's grid: an
   * input with other params is requantized first (QUANTIZE int8 → int8), as the converter does.
   */
  static void shared(Int8Lowering x, Node n, OpKind k) {
    QuantParams q = Int8Lowering.activationParams(x.qat.rangeOf(n.name()));
    int a = x.requantized(x.in(n, 0), q, n.name() + "/requant0");
    int b = x.requantized(x.in(n, 1), q, n.name() + "/requant1");
    x.b.addOp(k, new int[] {a, b}, new int[] {x.act(n, q)}, null);
  }

  /**
   * The ADD chain into sums on the output's grid scaled by n (same zero point: the sum of n values
   * in the output's range lies in n times that range), then MUL by the constant 1/n stored as 127
   * with scale 1/(127·n).
   */
  static void average(Int8Lowering x, Node n) {
    QuantParams q = Int8Lowering.activationParams(x.qat.rangeOf(n.name()));
    int k = n.inputs().size();
    QuantParams sumQ = QuantParams.perTensor(q.scale() * k, q.zeroPoint());
    int acc = x.in(n, 0);
    for (int i = 1; i < k; i++) {
      int sum =
          x.b.addTensor(
              TensorSpec.activation(
                  n.name() + "/sum" + i, FloatLowering.batch1(n.shape()), DType.INT8, sumQ));
      x.b.addOp(
          OpKind.ADD,
          new int[] {acc, x.in(n, i)},
          new int[] {sum},
          new OpOptions.Activated(FusedActivation.NONE));
      acc = sum;
    }
    QuantParams cq = QuantParams.perTensor((1f / k) / 127f, 0);
    int c =
        x.b.addTensor(
            new TensorSpec(
                n.name() + "/reciprocal", new int[] {1}, DType.INT8, cq, new byte[] {127}));
    x.b.addOp(
        OpKind.MUL,
        new int[] {acc, c},
        new int[] {x.act(n, q)},
        new OpOptions.Activated(FusedActivation.NONE));
  }

  static void leaky(Int8Lowering x, Node n, LeakyReLU l) {
    x.b.addOp(
        OpKind.LEAKY_RELU,
        new int[] {x.in(n, 0)},
        new int[] {x.outOwn(n)},
        new OpOptions.LeakyRelu(l.alpha()));
  }

  /** GELU with the layer's form; TFLite's table takes the output's own parameters. */
  static void gelu(Int8Lowering x, Node n, Gelu l) {
    x.b.addOp(
        OpKind.GELU,
        new int[] {x.in(n, 0)},
        new int[] {x.outOwn(n)},
        new OpOptions.Gelu(l.approximate()));
  }

  /**
   * A BatchNormalization that folds into no convolution, as TFLite's converter writes it: MUL by
   * the folded per-channel multiplier, then ADD of the folded shift, both constants int8 per tensor
   * and symmetric (zero point 0, scale max|v|/127). The product's params span every channel's input
   * range times its quantized multiplier, with 0 included.
   */
  static void batchNorm(Int8Lowering x, Node n, BatchNormalization bn) {
    BatchNormFold fold = BatchNormFold.of(bn);
    affine(x, n, fold.multiplier(), fold.shift());
  }

  /**
   * The affine layers (BatchNormalization alone, Rescaling, Normalization) as the same MUL then ADD
   * by constants ([C] or [1]); no ADD when the shift is all 0, the MUL then writing the output.
   */
  static void affine(Int8Lowering x, Node n, float[] mul, float[] shift) {
    int in = x.in(n, 0);
    int m = symmetricConstant(x, n, "/multiplier", mul);
    if (allZero(shift)) {
      x.b.addOp(
          OpKind.MUL, new int[] {in, m}, new int[] {x.outOwn(n)}, OpOptions.Activated.DEFAULT);
      return;
    }
    int mid =
        x.b.addTensor(
            TensorSpec.activation(
                n.name() + "/scaled",
                FloatLowering.batch1(n.shape()),
                DType.INT8,
                productParams(x.b.tensor(in).quant(), x.b.tensor(m))));
    x.b.addOp(OpKind.MUL, new int[] {in, m}, new int[] {mid}, OpOptions.Activated.DEFAULT);
    int add = symmetricConstant(x, n, "/shift", shift);
    x.b.addOp(
        OpKind.ADD, new int[] {mid, add}, new int[] {x.outOwn(n)}, OpOptions.Activated.DEFAULT);
  }

  /** The product's params: every channel's input range times its quantized multiplier, 0 in. */
  private static QuantParams productParams(QuantParams inQ, TensorSpec mul) {
    float ms = mul.quant().scale();
    byte[] codes = (byte[]) mul.data();
    float lo = (-128 - inQ.zeroPoint()) * inQ.scale(), hi = (127 - inQ.zeroPoint()) * inQ.scale();
    float mn = 0f, mx = 0f;
    for (byte code : codes) {
      float m = code * ms;
      mn = Math.min(mn, Math.min(lo * m, hi * m));
      mx = Math.max(mx, Math.max(lo * m, hi * m));
    }
    float s = mx > mn ? (mx - mn) / 255f : 1f;
    long zp = Math.max(-128, Math.min(127, Math.round(-128 - mn / s)));
    return QuantParams.perTensor(s, zp);
  }

  /** Rescaling as {@link #affine} with its scale and offset per channel, as in float. */
  static void rescaling(Int8Lowering x, Node n, Rescaling l) {
    int c = n.shape()[n.shape().length - 1];
    affine(x, n, l.scales(c), l.offsets(c));
  }

  static boolean allZero(float[] v) {
    for (float f : v) if (f != 0f) return false;
    return true;
  }

  /**
   * An affine constant ([C], [1] or one per element, shaped as in float) as int8 codes with one
   * symmetric scale max|v|/127 (1 when all 0).
   */
  private static int symmetricConstant(Int8Lowering x, Node n, String suffix, float[] v) {
    float max = 0f;
    for (float f : v) max = Math.max(max, Math.abs(f));
    float scale = max > 0f ? max / 127f : 1f;
    byte[] q = new byte[v.length];
    for (int i = 0; i < v.length; i++)
      q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / scale)));
    return x.b.addTensor(
        new TensorSpec(
            n.name() + suffix,
            FloatElementwise.constantShape(n, v.length),
            DType.INT8,
            QuantParams.perTensor(scale, 0),
            q));
  }

  /** PRELU with alpha as int8 codes of its per-tensor symmetric fake-quant grid (zero point 0). */
  static void prelu(Int8Lowering x, Node n, QuantizeWrapper w) {
    FakeQuantizer fq = w.weightQuantizers().get("alpha");
    FakeQuant.Nudged g = fq.grids()[0];
    float scale = g.zero() ? 1f : g.scale();
    float[] alpha = w.latent("alpha").value().toArray();
    byte[] codes = Int8Checks.quantizeKernel(alpha, fq.grids(), false, new float[] {scale}, 1);
    int a =
        x.b.addTensor(
            new TensorSpec(
                n.name() + "/alpha",
                w.latent("alpha").value().shape(),
                DType.INT8,
                QuantParams.perTensor(scale, 0),
                codes));
    x.b.addOp(OpKind.PRELU, new int[] {x.in(n, 0), a}, new int[] {x.outOwn(n)}, null);
  }

  static void multiply(Int8Lowering lo, Node n, FusedActivation post) {
    lo.b.addOp(
        OpKind.MUL,
        new int[] {lo.in(n, 0), lo.in(n, 1)},
        new int[] {lo.outOwn(n)},
        new OpOptions.Activated(post));
  }

  static void add(Int8Lowering lo, Node n, FusedActivation post) {
    int prev = lo.in(n, 0);
    int k = n.inputs().size();
    for (int i = 1; i < k; i++) {
      int out =
          i == k - 1
              ? lo.outOwn(n)
              : lo.b.addTensor(
                  TensorSpec.activation(
                      n.name() + "/partial" + i,
                      FloatLowering.batch1(n.shape()),
                      DType.INT8,
                      Int8Lowering.activationParams(lo.qat.rangeOf(n.name()))));
      lo.b.addOp(
          OpKind.ADD,
          new int[] {prev, lo.in(n, i)},
          new int[] {out},
          new OpOptions.Activated(i == k - 1 ? post : FusedActivation.NONE));
      prev = out;
    }
  }

  static void concat(Int8Lowering lo, Node n, FusedActivation post) {
    QuantParams q = Int8Lowering.activationParams(lo.qat.rangeOf(n.name()));
    int[] ins = new int[n.inputs().size()];
    for (int i = 0; i < ins.length; i++)
      ins[i] = lo.requantized(lo.in(n, i), q, n.name() + "/requant" + i);
    lo.b.addOp(
        OpKind.CONCATENATION,
        ins,
        new int[] {lo.act(n, q)},
        new OpOptions.Concat(n.shape().length, post));
  }
}
