package org.qat4j.quant.lower;

import org.qat4j.core.Node;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Gelu;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.PReLU;
import org.qat4j.core.layers.Rescaling;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.BatchNormFold;

/**
 * Float lowering of the merge and activation layers of issue 14 (Subtract, Maximum, Minimum,
 * Average, LeakyReLU, PReLU) and of the affine layers (BatchNormalization alone, Rescaling,
 * Normalization), reached from {@link FloatLowering}'s table.
 */
final class FloatElementwise {
  private FloatElementwise() {}

  /** SUB (with the step's fused activation), MAXIMUM or MINIMUM of the node's two inputs. */
  static void binary(FloatLowering x, FusionPlan.Step s, OpKind k) {
    Node n = s.main();
    OpOptions o = k == OpKind.SUB ? new OpOptions.Activated(s.fused()) : null;
    x.b.addOp(k, new int[] {x.input(n, 0), x.input(n, 1)}, new int[] {x.output(s)}, o);
  }

  /**
   * The ADD chain of the inputs, then MUL by the constant 1/n (shape [1]), as TFLite's converter
   * writes Keras's Average (its division by a constant becomes a multiplication by the reciprocal).
   */
  static void average(FloatLowering x, FusionPlan.Step s) {
    Node n = s.main();
    int k = n.inputs().size();
    int acc = x.input(n, 0);
    for (int i = 1; i < k; i++) {
      int sum =
          x.b.addTensor(
              TensorSpec.activation(
                  n.name() + "/sum" + i, FloatLowering.batch1(n.shape()), DType.FLOAT32, null));
      x.b.addOp(
          OpKind.ADD,
          new int[] {acc, x.input(n, i)},
          new int[] {sum},
          new OpOptions.Activated(FusedActivation.NONE));
      acc = sum;
    }
    int c = x.constF(n.name() + "/reciprocal", new int[] {1}, new float[] {1f / k});
    x.b.addOp(
        OpKind.MUL,
        new int[] {acc, c},
        new int[] {x.output(s)},
        new OpOptions.Activated(FusedActivation.NONE));
  }

  static void leaky(FloatLowering x, FusionPlan.Step s, LeakyReLU l) {
    x.b.addOp(
        OpKind.LEAKY_RELU,
        new int[] {x.input(s.main(), 0)},
        new int[] {x.output(s)},
        new OpOptions.LeakyRelu(l.alpha()));
  }

  /** GELU with the layer's form (erf or tanh approximation). */
  static void gelu(FloatLowering x, FusionPlan.Step s, Gelu l) {
    x.b.addOp(
        OpKind.GELU,
        new int[] {x.input(s.main(), 0)},
        new int[] {x.output(s)},
        new OpOptions.Gelu(l.approximate()));
  }

  /** PRELU with alpha as a constant of the layer's alpha shape (broadcast over the shared axes). */
  static void prelu(FloatLowering x, FusionPlan.Step s, PReLU l) {
    Node n = s.main();
    int a = x.constF(n.name() + "/alpha", l.alpha().value().shape(), l.alpha().value().toArray());
    x.b.addOp(OpKind.PRELU, new int[] {x.input(n, 0), a}, new int[] {x.output(s)}, null);
  }

  /** A BatchNormalization that folds into no convolution: MUL and ADD by its folded constants. */
  static void batchNorm(FloatLowering x, FusionPlan.Step s, BatchNormalization bn) {
    BatchNormFold fold = BatchNormFold.of(bn);
    affine(x, s, fold.multiplier(), fold.shift());
  }

  /**
   * Rescaling as {@link #affine} with its scale and offset per channel (the float import raises a
   * MUL by per-channel constants, not by a scalar).
   */
  static void rescaling(FloatLowering x, FusionPlan.Step s, Rescaling l) {
    int[] sh = s.main().shape();
    affine(x, s, l.scales(sh[sh.length - 1]), l.offsets(sh[sh.length - 1]));
  }

  /**
   * The shape of an affine constant of {@code length} values for node {@code n}: [length] for one
   * value or one per channel, the node's batch-1 shape for one per element (Normalization over
   * several axes), so that TFLite broadcasts it as the simulator does.
   */
  static int[] constantShape(Node n, int length) {
    int[] sh = n.shape();
    int per = 1;
    for (int d : sh) per *= d;
    if (length == 1 || length == sh[sh.length - 1]) return new int[] {length};
    if (length == per) return FloatLowering.batch1(sh);
    throw new IllegalArgumentException(
        "layer '" + n.name() + "': " + length + " constants fit neither its channels nor its size");
  }

  /**
   * MUL by the constant {@code mul} ([C] per channel, [1], or one per element), then ADD of the
   * constant {@code shift} unless it is all 0.
   */
  static void affine(FloatLowering x, FusionPlan.Step s, float[] mul, float[] shift) {
    Node n = s.main();
    boolean add = !Int8Elementwise.allZero(shift);
    int mid =
        add
            ? x.b.addTensor(
                TensorSpec.activation(
                    n.name() + "/scaled", FloatLowering.batch1(n.shape()), DType.FLOAT32, null))
            : x.output(s);
    int m = x.constF(n.name() + "/scale", constantShape(n, mul.length), mul);
    x.b.addOp(OpKind.MUL, new int[] {x.input(n, 0), m}, new int[] {mid}, null);
    if (!add) return;
    int a = x.constF(n.name() + "/shift", constantShape(n, shift.length), shift);
    x.b.addOp(OpKind.ADD, new int[] {mid, a}, new int[] {x.output(s)}, null);
  }
}
