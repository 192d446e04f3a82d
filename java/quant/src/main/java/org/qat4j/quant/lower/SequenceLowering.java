package org.qat4j.quant.lower;

import java.util.Arrays;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.LSTM;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.TensorSpec;

/**
 * Float lowering of the sequence layers (batch 1) through existing operators: Embedding as CAST +
 * GATHER; LSTM and GRU unrolled over their T steps (FULLY_CONNECTED + UNPACK of the input part,
 * then per step FULLY_CONNECTED, ADD, SPLIT, LOGISTIC/TANH, MUL, SUB; PACK for sequences). Keras
 * 2's hard_sigmoid is MUL 0.2, ADD 0.5 with fused RELU, MINIMUM 1.
 */
final class SequenceLowering {
  private final FloatLowering x;
  private final LoweredGraphBuilder b;
  private final String name;

  private SequenceLowering(FloatLowering x, Node n) {
    this.x = x;
    this.b = x.builder();
    this.name = n.name();
  }

  /** CAST the float indices to INT32, then GATHER rows of the table. */
  static void embedding(FloatLowering x, FusionPlan.Step s, Embedding e) {
    SequenceLowering q = new SequenceLowering(x, s.main());
    int[] shape = FloatLowering.batch1(s.main().inputs().get(0).shape());
    int idx = q.b.addTensor(TensorSpec.activation(q.name + "/indices", shape, DType.INT32, null));
    q.b.addOp(OpKind.CAST, new int[] {x.inputOf(s.main(), 0)}, new int[] {idx}, null);
    Param t = e.embeddings();
    int table = x.constF(q.name + "/embeddings", t.value().shape(), t.value().toArray());
    q.b.addOp(
        OpKind.GATHER,
        new int[] {table, idx},
        new int[] {x.outputOf(s)},
        new OpOptions.Gather(0, 0));
  }

  static void lstm(FloatLowering x, FusionPlan.Step s, LSTM l) {
    SequenceLowering q = new SequenceLowering(x, s.main());
    int[] in = s.main().inputs().get(0).shape();
    int t = in[0], u = l.units();
    int[] xw = q.inputPart(x.inputOf(s.main(), 0), in, l.kernel(), l.bias().value().toArray());
    int r = q.transposed("recurrent", l.recurrentKernel());
    int h = q.zeros("h0", u), c = q.zeros("c0", u);
    int[] hs = new int[t];
    for (int k = 0; k < t; k++) {
      String p = "/t" + k + "/";
      boolean out = k == t - 1 && !l.returnsSequences();
      int z = q.add(p + "z", 4 * u, q.fc(p + "hr", h, r, -1, 4 * u), xw[k]);
      int[] g = q.split(p + "gate", z, 4, u);
      int i = q.gate(p + "i", g[0], u, l.usesHardSigmoid());
      int f = q.gate(p + "f", g[1], u, l.usesHardSigmoid());
      int cand = q.unary(p + "g", OpKind.TANH, g[2], u);
      int o = q.gate(p + "o", g[3], u, l.usesHardSigmoid());
      c = q.add(p + "c", u, q.mul(p + "fc", f, c, u, -1), q.mul(p + "ig", i, cand, u, -1));
      h = q.mul(p + "h", o, q.unary(p + "tc", OpKind.TANH, c, u), u, out ? x.outputOf(s) : -1);
      hs[k] = h;
    }
    if (l.returnsSequences()) q.pack(hs, x.outputOf(s));
  }

  static void gru(FloatLowering x, FusionPlan.Step s, GRU l) {
    SequenceLowering q = new SequenceLowering(x, s.main());
    int[] in = s.main().inputs().get(0).shape();
    int t = in[0], u = l.units();
    float[] bias = l.bias().value().toArray();
    float[] bIn = Arrays.copyOf(bias, 3 * u);
    int[] xw = q.inputPart(x.inputOf(s.main(), 0), in, l.kernel(), bIn);
    GruStep step = new GruStep(q, l, bias);
    int h = q.zeros("h0", u);
    int[] hs = new int[t];
    for (int k = 0; k < t; k++) {
      boolean out = k == t - 1 && !l.returnsSequences();
      h = step.lower("/t" + k + "/", h, xw[k], out ? x.outputOf(s) : -1);
      hs[k] = h;
    }
    if (l.returnsSequences()) q.pack(hs, x.outputOf(s));
  }

  /**
   * x·W + b for every step: FULLY_CONNECTED keeping [1, T, G], then UNPACK along T into T tensors
   * [1, G].
   */
  int[] inputPart(int input, int[] in, Param kernel, float[] bias) {
    int t = in[0], g = kernel.value().dim(1);
    int w = transposed("kernel", kernel);
    int bt = x.constF(name + "/bias", new int[] {g}, bias);
    int all = act("/input_part", 1, t, g);
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {input, w, bt},
        new int[] {all},
        new OpOptions.FullyConnected(FusedActivation.NONE, true));
    int[] outs = new int[t];
    for (int k = 0; k < t; k++) outs[k] = act("/t" + k + "/xw", 1, g);
    b.addOp(OpKind.UNPACK, new int[] {all}, outs, new OpOptions.Unpack(t, 1));
    return outs;
  }

  FloatLowering x() {
    return x;
  }

  String name() {
    return name;
  }

  static OpOptions fcOptions() {
    return new OpOptions.FullyConnected(FusedActivation.NONE, false);
  }

  /** A [rows, cols] kernel as a FULLY_CONNECTED weight [cols, rows] (columns from..from+n). */
  int transposed(String what, Param p) {
    return transposed(
        what, p.value().toArray(), p.value().dim(0), p.value().dim(1), 0, p.value().dim(1));
  }

  int transposed(String what, float[] v, int rows, int cols, int from, int n) {
    float[] w = new float[rows * n];
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < n; j++) w[j * rows + i] = v[i * cols + from + j];
    return x.constF(name + "/" + what, new int[] {n, rows}, w);
  }

  int act(String suffix, int... shape) {
    return b.addTensor(TensorSpec.activation(name + suffix, shape, DType.FLOAT32, null));
  }

  int zeros(String what, int u) {
    return x.constF(name + "/" + what, new int[] {1, u}, new float[u]);
  }

  int fc(String p, int in, int w, int bias, int n) {
    int o = act(p, 1, n);
    b.addOp(OpKind.FULLY_CONNECTED, new int[] {in, w, bias}, new int[] {o}, fcOptions());
    return o;
  }

  int add(String p, int n, int a, int c) {
    return binary(OpKind.ADD, p, a, c, n, -1);
  }

  int mul(String p, int a, int c, int n, int into) {
    return binary(OpKind.MUL, p, a, c, n, into);
  }

  int binary(OpKind k, String p, int a, int c, int n, int into) {
    int o = into >= 0 ? into : act(p, 1, n);
    OpOptions opt = k == OpKind.MINIMUM ? null : new OpOptions.Activated(FusedActivation.NONE);
    b.addOp(k, new int[] {a, c}, new int[] {o}, opt);
    return o;
  }

  int unary(String p, OpKind k, int a, int n) {
    int o = act(p, 1, n);
    b.addOp(k, new int[] {a}, new int[] {o}, null);
    return o;
  }

  /** SPLIT [1, parts·u] along axis 1. */
  int[] split(String p, int z, int parts, int u) {
    int axis = x.constI(name + p + "_axis", new int[] {}, new int[] {1});
    int[] outs = new int[parts];
    for (int i = 0; i < parts; i++) outs[i] = act(p + i, 1, u);
    b.addOp(OpKind.SPLIT, new int[] {axis, z}, outs, new OpOptions.Split(parts));
    return outs;
  }

  /** The gate activation: LOGISTIC, or Keras 2's hard_sigmoid. */
  int gate(String p, int z, int u, boolean hard) {
    if (!hard) return unary(p, OpKind.LOGISTIC, z, u);
    int scaled = mul(p + "_x0.2", z, scalar(p + "_0.2", 0.2f), u, -1);
    int shifted = act(p + "_relu", 1, u);
    b.addOp(
        OpKind.ADD,
        new int[] {scaled, scalar(p + "_0.5", 0.5f)},
        new int[] {shifted},
        new OpOptions.Activated(FusedActivation.RELU));
    return binary(OpKind.MINIMUM, p, shifted, scalar(p + "_1", 1f), u, -1);
  }

  int scalar(String p, float v) {
    return x.constF(name + p, new int[] {}, new float[] {v});
  }

  void pack(int[] hs, int out) {
    b.addOp(OpKind.PACK, hs, new int[] {out}, new OpOptions.Pack(hs.length, 1));
  }
}
