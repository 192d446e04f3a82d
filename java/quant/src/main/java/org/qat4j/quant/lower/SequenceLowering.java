package org.qat4j.quant.lower;

import java.util.ArrayList;
import java.util.List;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Embedding;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.CellOps;
import org.qat4j.quant.layers.RecurrentCells;

/**
 * Float lowering of the sequence layers (batch 1) through existing operators: Embedding as CAST +
 * GATHER; LSTM and GRU unrolled over their T steps by {@link RecurrentCells} (FULLY_CONNECTED +
 * UNPACK of the input part, then per step FULLY_CONNECTED, ADD, SPLIT, LOGISTIC/TANH, MUL, SUB;
 * PACK for sequences). Keras 2's hard_sigmoid is MUL 0.2, ADD 0.5 with fused RELU, MINIMUM 1.
 */
final class SequenceLowering implements CellOps<Integer> {
  private final FloatLowering x;
  private final LoweredGraphBuilder b;
  private final String name;
  private final FusionPlan.Step s;
  private final Layer layer;
  private String prefix = "/";

  private SequenceLowering(FloatLowering x, FusionPlan.Step s) {
    this.x = x;
    this.b = x.builder();
    this.s = s;
    this.layer = s.main().layer();
    this.name = s.main().name();
  }

  /** CAST the float indices to INT32, then GATHER rows of the table. */
  static void embedding(FloatLowering x, FusionPlan.Step s, Embedding e) {
    SequenceLowering q = new SequenceLowering(x, s);
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

  /** An LSTM or GRU unrolled over its steps. */
  static void recurrent(FloatLowering x, FusionPlan.Step s, Layer l) {
    RecurrentCells.walk(l, new SequenceLowering(x, s));
  }

  @Override
  public void step(int k) {
    prefix = "/t" + k + "/";
  }

  @Override
  public List<Integer> inputPart(String role, Cols w, float[] bias) {
    Node n = s.main();
    int t = n.inputs().get(0).shape()[0];
    int bt = x.constF(name + "/bias", new int[] {w.n()}, bias);
    int all = act("/" + role, 1, t, w.n());
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {x.inputOf(n, 0), weight(w), bt},
        new int[] {all},
        new OpOptions.FullyConnected(FusedActivation.NONE, true));
    List<Integer> outs = new ArrayList<>();
    for (int k = 0; k < t; k++) outs.add(act("/t" + k + "/xw", 1, w.n()));
    b.addOp(
        OpKind.UNPACK,
        new int[] {all},
        outs.stream().mapToInt(Integer::intValue).toArray(),
        new OpOptions.Unpack(t, 1));
    return outs;
  }

  /** Columns of a [rows, cols] weight as a FULLY_CONNECTED weight [n, rows]. */
  private int weight(Cols w) {
    Param p = layer.params().get(w.matrix() == Matrix.KERNEL ? 0 : 1);
    int rows = p.value().dim(0), cols = p.value().dim(1);
    float[] v = p.value().toArray(), t = new float[rows * w.n()];
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < w.n(); j++) t[j * rows + i] = v[i * cols + w.from() + j];
    String what = w.matrix() == Matrix.KERNEL ? "/kernel" : "/recurrent";
    return x.constF(
        name + what + (w.from() == 0 ? "" : "_" + w.from()), new int[] {w.n(), rows}, t);
  }

  private int act(String suffix, int... shape) {
    return b.addTensor(TensorSpec.activation(name + suffix, shape, DType.FLOAT32, null));
  }

  private int width(int t) {
    int[] shape = b.tensor(t).shape();
    return shape[shape.length - 1];
  }

  @Override
  public Integer zeros(String role, int n) {
    return x.constF(name + "/" + role + "0", new int[] {1, n}, new float[n]);
  }

  @Override
  public Integer fc(String role, Integer in, Cols w, float[] bias) {
    int bt = bias == null ? -1 : x.constF(name + prefix + role + "_bias", new int[] {w.n()}, bias);
    int o = act(prefix + role, 1, w.n());
    b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {in, weight(w), bt},
        new int[] {o},
        new OpOptions.FullyConnected(FusedActivation.NONE, false));
    return o;
  }

  @Override
  public Integer add(String role, Integer a, Integer c) {
    return binary(OpKind.ADD, role, a, c, FusedActivation.NONE);
  }

  @Override
  public Integer sub(String role, Integer a, Integer c) {
    return binary(OpKind.SUB, role, a, c, FusedActivation.NONE);
  }

  @Override
  public Integer mul(String role, Integer a, Integer c) {
    return binary(OpKind.MUL, role, a, c, FusedActivation.NONE);
  }

  private int binary(OpKind k, String role, int a, int c, FusedActivation f) {
    int o = act(prefix + role, 1, width(a));
    OpOptions opt = k == OpKind.MINIMUM ? null : new OpOptions.Activated(f);
    b.addOp(k, new int[] {a, c}, new int[] {o}, opt);
    return o;
  }

  private int unary(String role, OpKind k, int a) {
    int o = act(prefix + role, 1, width(a));
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
    int scaled = binary(OpKind.MUL, scaledRole, a, scalar(scaledRole, 0.2f), FusedActivation.NONE);
    int relu = binary(OpKind.ADD, role + "_relu", scaled, scalar(role, 0.5f), FusedActivation.RELU);
    return binary(OpKind.MINIMUM, role, relu, scalar(role + "_1", 1f), FusedActivation.NONE);
  }

  private int scalar(String role, float v) {
    return x.constF(name + prefix + role + "_" + v, new int[] {}, new float[] {v});
  }

  @Override
  public List<Integer> split(Integer a, int parts) {
    int u = width(a) / parts;
    int axis = x.constI(name + prefix + "split" + a + "_axis", new int[] {}, new int[] {1});
    List<Integer> outs = new ArrayList<>();
    for (int i = 0; i < parts; i++) outs.add(act(prefix + "split" + a + "_" + i, 1, u));
    b.addOp(
        OpKind.SPLIT,
        new int[] {axis, a},
        outs.stream().mapToInt(Integer::intValue).toArray(),
        new OpOptions.Split(parts));
    return outs;
  }

  @Override
  public void output(List<Integer> states, boolean sequences) {
    if (!sequences) {
      x.bind(s, states.get(states.size() - 1));
      return;
    }
    int[] hs = states.stream().mapToInt(Integer::intValue).toArray();
    b.addOp(OpKind.PACK, hs, new int[] {x.outputOf(s)}, new OpOptions.Pack(hs.length, 1));
  }
}
