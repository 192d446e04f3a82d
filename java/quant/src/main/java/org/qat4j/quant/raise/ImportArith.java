package org.qat4j.quant.raise;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.Average;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Multiply;
import org.qat4j.ir.OpKind;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;

/**
 * ADD and MUL of one graph: of two activations (Add, Multiply, or an Average where the converter
 * wrote ADD then MUL by ½), or by a per-channel constant (a BatchNormalization). Holds what one
 * operator leaves for a later one, so there is one per imported graph.
 */
final class ImportArith {
  private final ImportGraph x;

  /**
   * Readers of each tensor (operators and graph outputs), to know when a MUL's result may absorb
   * the next ADD.
   */
  private final int[] readers;

  /** The (last) operator reading each tensor. */
  private final OperatorInfo[] readerOp;

  /**
   * BatchNormalizations made from a MUL whose output only the next ADD reads, by that output
   * tensor.
   */
  private final Map<Integer, BatchNormalization> scaled = new HashMap<>();

  /** Average layers made from an ADD, by the output tensor of the MUL by ½ that they absorb. */
  private final Map<Integer, Node> averages = new HashMap<>();

  ImportArith(ImportGraph x) {
    this.x = x;
    SubgraphInfo s = x.s;
    this.readers = new int[s.tensors().size()];
    this.readerOp = new OperatorInfo[s.tensors().size()];
    for (OperatorInfo op : s.operators()) {
      for (int t : op.inputs()) {
        if (t < 0) continue;
        readers[t]++;
        readerOp[t] = op;
      }
    }
    for (int t : s.outputs()) readers[t]++;
  }

  /** The Average an earlier ADD made for MUL output {@code tensor}, or null; taken once. */
  Node averaged(int tensor) {
    return averages.remove(tensor);
  }

  /**
   * ADD of two activations, or of a per-channel constant: then the shift of a BatchNormalization
   * (see {@link #mul}).
   */
  Node add(OperatorInfo op, String n) {
    int c = constantOperand(op);
    int[] in = op.inputs();
    if (c < 0) {
      OperatorInfo half = halving(op);
      if (half == null) return x.g.add(new Add(n), x.node(in[0]), x.node(in[1]));
      Node avg =
          x.g.add(
              new Average(x.name(x.s.tensor(half.outputs()[0]).name())),
              x.node(in[0]),
              x.node(in[1]));
      averages.put(half.outputs()[0], avg);
      return avg;
    }
    int a = in[1 - c];
    float[] shift = channelVector(in[c], a);
    BatchNormalization bn = scaled.remove(a);
    Node node = bn != null ? x.nodes[a] : x.g.add(bn = scaleShift(n), x.node(a));
    x.copy(bn.beta().value(), shift, "shift");
    return node;
  }

  /**
   * MUL by a per-channel constant (TFLite's form of a BatchNormalization that could not fold) as a
   * BatchNormalization with gamma = the constant, mean 0, variance 1; a following ADD of a constant
   * becomes its beta. MUL of two activations of one shape is a Multiply.
   */
  Node mul(OperatorInfo op, String n) {
    int c = constantOperand(op);
    if (c < 0) return x.g.add(new Multiply(n), x.node(op.inputs()[0]), x.node(op.inputs()[1]));
    int a = op.inputs()[1 - c];
    float[] scale = channelVector(op.inputs()[c], a);
    BatchNormalization bn = scaleShift(n);
    Node node = x.g.add(bn, x.node(a));
    x.copy(bn.gamma().value(), scale, "scale");
    int out = op.outputs()[0];
    if (plain(op) && readers[out] == 1) scaled.put(out, bn);
    return node;
  }

  /**
   * The MUL by the constant ½ that is the only reader of a plain two-activation ADD's output, or
   * null: TFLite's converter writes Keras's Average of two inputs as this pair, imported as one
   * Average layer.
   */
  private OperatorInfo halving(OperatorInfo add) {
    int t = add.outputs()[0];
    OperatorInfo m = readerOp[t];
    if (!plain(add) || readers[t] != 1 || m == null || m.custom() || !plain(m)) return null;
    if (OpKind.fromBuiltin(m.builtinCode()) != OpKind.MUL || m.inputs().length != 2) return null;
    int k = m.inputs()[0] == t ? m.inputs()[1] : m.inputs()[0];
    if (k < 0 || !x.s.tensor(k).constant()) return null;
    float[] v = x.floats(x.s.tensor(k));
    // a dequantizing import reads ½ back as 127·(0.5/127), within a float step of 0.5
    return v.length == 1 && Math.abs(v[0] - 0.5f) <= 1e-6f ? m : null;
  }

  private static boolean plain(OperatorInfo op) {
    return "NONE".equals(op.options().getOrDefault("fused_activation_function", "NONE"));
  }

  /**
   * y = gamma·x + beta exactly: with variance 1 and an epsilon below double's resolution at 1, the
   * folded scale gamma/sqrt(var + eps) is gamma bit for bit, so lowering again gives the same
   * constants.
   */
  private static BatchNormalization scaleShift(String n) {
    return new BatchNormalization(n).epsilon(Float.MIN_NORMAL);
  }

  /** Which input (0 or 1) of a binary op is constant, -1 when neither is. */
  private int constantOperand(OperatorInfo op) {
    int[] in = op.inputs();
    boolean c0 = in[0] >= 0 && x.s.tensor(in[0]).constant(),
        c1 = in[1] >= 0 && x.s.tensor(in[1]).constant();
    if (c0 && c1) throw new ModelFormatException(x.where, "both operands are constant");
    return c0 ? 0 : c1 ? 1 : -1;
  }

  /**
   * The values of constant {@code t}, which must broadcast along the last axis of activation {@code
   * a} (shape [C] or [1, …, C]).
   */
  private float[] channelVector(int t, int a) {
    TensorInfo k = x.s.tensor(t);
    int[] ks = k.shape(), as = x.s.tensor(a).shape();
    int channels = as.length == 0 ? 0 : as[as.length - 1];
    boolean ok = ks.length >= 1 && ks[ks.length - 1] == channels;
    for (int d = 0; ok && d < ks.length - 1; d++) ok = ks[d] == 1;
    if (!ok) {
      throw new ModelFormatException(
          x.where,
          "constant "
              + Arrays.toString(ks)
              + " must be one value per channel (["
              + channels
              + "]) of input "
              + Arrays.toString(as));
    }
    return x.floats(k);
  }
}
