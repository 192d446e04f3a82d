package org.qat4j.quant.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Node;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.CellOps;
import org.qat4j.quant.layers.RecurrentCells;

/**
 * The operators of an unrolled LSTM/GRU ({@link RecurrentCells}) written into a graph (batch 1):
 * one FULLY_CONNECTED + UNPACK for the input part, then per step FULLY_CONNECTED, ADD, SUB, MUL,
 * SPLIT, LOGISTIC, TANH and hard_sigmoid's MUL, ADD + RELU, MINIMUM; PACK for sequences. Subclasses
 * give the element type, each role's params, the weights, biases and constants (float or int8).
 * Tensors are named after the layer, the step and the role.
 */
abstract class CellEmitter implements CellOps<Integer> {
  final LoweredGraphBuilder b;
  final Node n;
  final String name;
  String prefix = "/";
  private final Map<Cols, Integer> weights = new HashMap<>();
  private final Map<String, Integer> biases = new HashMap<>();

  CellEmitter(LoweredGraphBuilder b, Node n) {
    this.b = b;
    this.n = n;
    this.name = n.name();
  }

  abstract DType type();

  /** The params of a tensor of {@code role} (null in float). */
  abstract QuantParams params(String role);

  /** The layer's input tensor [1, T, F]. */
  abstract int input();

  /** Columns of a weight matrix as a new FULLY_CONNECTED weight [n, rows]. */
  abstract int newWeight(Cols w);

  /** A new bias of a FULLY_CONNECTED from {@code in} into {@code role}. */
  abstract int newBias(String role, int in, Cols w, float[] bias);

  /** The weight tensor of {@code w}, written once and shared by every step. */
  private int weight(Cols w) {
    return weights.computeIfAbsent(w, this::newWeight);
  }

  /** The bias tensor of an FC into {@code role} (one per role, shared by every step), or −1. */
  private int bias(String role, int in, Cols w, float[] bias) {
    return bias == null ? -1 : biases.computeIfAbsent(role, r -> newBias(r, in, w, bias));
  }

  /** A positive scalar constant (hard_sigmoid's 0.2 and 0.5). */
  abstract int scalar(String suffix, float v);

  /** The constant 1 on {@code role}'s grid (hard_sigmoid's MINIMUM). */
  abstract int one(String role);

  /** Makes {@code t} the layer's output tensor. */
  abstract void bind(int t);

  /** A new output tensor of the layer on {@code role}'s grid (for PACK). */
  abstract int output(String role);

  int act(String suffix, int[] shape, QuantParams q) {
    return b.addTensor(TensorSpec.activation(name + suffix, shape, type(), q));
  }

  int width(int t) {
    int[] shape = b.tensor(t).shape();
    return shape[shape.length - 1];
  }

  @Override
  public void step(int k) {
    prefix = "/t" + k + "/";
  }

  @Override
  public List<Integer> inputPart(String role, Cols w, float[] bias) {
    int in = input(), t = n.inputs().get(0).shape()[0];
    QuantParams q = params(role);
    int all = act("/" + role, new int[] {1, t, w.n()}, q);
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {in, weight(w), bias(role, in, w, bias)},
        new int[] {all},
        new OpOptions.FullyConnected(FusedActivation.NONE, true));
    List<Integer> outs = new ArrayList<>();
    for (int k = 0; k < t; k++) outs.add(act("/t" + k + "/xw", new int[] {1, w.n()}, q));
    b.addOp(OpKind.UNPACK, new int[] {all}, ints(outs), new OpOptions.Unpack(t, 1));
    return outs;
  }

  static int[] ints(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public Integer fc(String role, Integer in, Cols w, float[] bias) {
    int o = act(prefix + role, new int[] {1, w.n()}, params(role));
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {in, weight(w), bias(role, in, w, bias)},
        new int[] {o},
        new OpOptions.FullyConnected(FusedActivation.NONE, false));
    return o;
  }

  @Override
  public Integer add(String role, Integer a, Integer c) {
    return binary(OpKind.ADD, role, a, c, FusedActivation.NONE, params(role));
  }

  @Override
  public Integer sub(String role, Integer a, Integer c) {
    return binary(OpKind.SUB, role, a, c, FusedActivation.NONE, params(role));
  }

  @Override
  public Integer mul(String role, Integer a, Integer c) {
    return binary(OpKind.MUL, role, a, c, FusedActivation.NONE, params(role));
  }

  private int binary(OpKind k, String suffix, int a, int c, FusedActivation f, QuantParams q) {
    int o = act(prefix + suffix, new int[] {1, width(a)}, q);
    OpOptions opt = k == OpKind.MINIMUM ? null : new OpOptions.Activated(f);
    b.addOp(k, new int[] {a, c}, new int[] {o}, opt);
    return o;
  }

  private int unary(String role, OpKind k, int a) {
    int o = act(prefix + role, new int[] {1, width(a)}, params(role));
    b.addOp(k, new int[] {a}, new int[] {o}, null);
    return o;
  }

  @Override
  public Integer logistic(String role, Integer a) {
    return unary(role, OpKind.LOGISTIC, a);
  }

  @Override
  public Integer tanh(String role, Integer a) {
    return unary(role, OpKind.TANH, a);
  }

  @Override
  public Integer hardSigmoid(String scaledRole, String role, Integer a) {
    QuantParams q = params(role);
    int s =
        binary(
            OpKind.MUL,
            scaledRole,
            a,
            scalar(prefix + scaledRole + "_0.2", 0.2f),
            FusedActivation.NONE,
            params(scaledRole));
    int relu =
        binary(
            OpKind.ADD,
            role + "_relu",
            s,
            scalar(prefix + role + "_0.5", 0.5f),
            FusedActivation.RELU,
            q);
    return binary(OpKind.MINIMUM, role, relu, one(role), FusedActivation.NONE, q);
  }

  @Override
  public List<Integer> split(Integer a, int parts) {
    int u = width(a) / parts;
    QuantParams q = b.tensor(a).quant();
    int axis =
        b.addTensor(
            new TensorSpec(
                name + prefix + "split" + a + "_axis",
                new int[] {},
                DType.INT32,
                null,
                new int[] {1}));
    List<Integer> outs = new ArrayList<>();
    for (int i = 0; i < parts; i++)
      outs.add(act(prefix + "split" + a + "_" + i, new int[] {1, u}, q));
    b.addOp(OpKind.SPLIT, new int[] {axis, a}, ints(outs), new OpOptions.Split(parts));
    return outs;
  }

  @Override
  public void output(List<Integer> states, boolean sequences) {
    if (!sequences) {
      bind(states.get(states.size() - 1));
      return;
    }
    int[] hs = ints(states);
    b.addOp(OpKind.PACK, hs, new int[] {output("h")}, new OpOptions.Pack(hs.length, 1));
  }
}
