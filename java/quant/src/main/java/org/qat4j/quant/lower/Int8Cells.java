package org.qat4j.quant.lower;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Node;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.CellOps;
import org.qat4j.quant.layers.QuantizedRecurrent;
import org.qat4j.quant.layers.RecurrentCells;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * int8 lowering of a {@link QuantizedRecurrent} (batch 1): the float lowering's unrolled operators
 * ({@link RecurrentCells}), every tensor int8 on its role's grid, weights per tensor with zero
 * point 0 exactly as the QAT forward fake-quantizes them, int32 biases with scale s_in·s_w.
 * Constants of hard_sigmoid are stored as 127 with scale c/127; its MINIMUM's 1 on the output's
 * grid.
 */
final class Int8Cells implements CellOps<Integer> {
  private final Int8Lowering x;
  private final Node n;
  private final QuantizedRecurrent r;
  private final String name;
  private final Map<Matrix, byte[]> codes = new EnumMap<>(Matrix.class);
  private String prefix = "/";

  private Int8Cells(Int8Lowering x, Node n, QuantizedRecurrent r) {
    this.x = x;
    this.n = n;
    this.r = r;
    this.name = n.name();
  }

  static void lower(Int8Lowering x, Node n, QuantizedRecurrent r) {
    RecurrentCells.walk(r.inner(), new Int8Cells(x, n, r));
  }

  private QuantParams params(String role) {
    return Int8Lowering.activationParams(r.role(role));
  }

  private int act(String suffix, int[] shape, QuantParams q) {
    return x.b.addTensor(TensorSpec.activation(name + suffix, shape, DType.INT8, q));
  }

  private int width(int t) {
    int[] shape = x.b.tensor(t).shape();
    return shape[shape.length - 1];
  }

  @Override
  public void step(int k) {
    prefix = "/t" + k + "/";
  }

  @Override
  public List<Integer> inputPart(String role, Cols w, float[] bias) {
    int in = x.in(n, 0), t = n.inputs().get(0).shape()[0];
    QuantParams q = params(role);
    int all = act("/" + role, new int[] {1, t, w.n()}, q);
    x.b.addOp(
        OpKind.FULLY_CONNECTED,
        new int[] {in, weight(w), bias(role, in, w, bias)},
        new int[] {all},
        new OpOptions.FullyConnected(FusedActivation.NONE, true));
    List<Integer> outs = new ArrayList<>();
    for (int k = 0; k < t; k++) outs.add(act("/t" + k + "/xw", new int[] {1, w.n()}, q));
    x.b.addOp(
        OpKind.UNPACK,
        new int[] {all},
        outs.stream().mapToInt(Integer::intValue).toArray(),
        new OpOptions.Unpack(t, 1));
    return outs;
  }

  private float weightScale(Matrix m) {
    FakeQuant.Nudged g = r.weightQuantizer(m).grids()[0];
    return g.zero() ? 1f : g.scale();
  }

  /** Columns of a weight matrix as an int8 FULLY_CONNECTED weight [n, rows]. */
  private int weight(Cols w) {
    Matrix m = w.matrix();
    float[] latent = r.weight(m).value().toArray();
    int rows = r.weight(m).value().dim(0), cols = r.weight(m).value().dim(1);
    float scale = weightScale(m);
    byte[] all =
        codes.computeIfAbsent(
            m,
            k -> {
              FakeQuantizer q = r.weightQuantizer(k);
              return Int8Checks.quantizeKernel(latent, q.grids(), false, new float[] {scale}, 1);
            });
    byte[] t = new byte[rows * w.n()];
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < w.n(); j++) t[j * rows + i] = all[i * cols + w.from() + j];
    String what =
        (m == Matrix.KERNEL ? "/kernel" : "/recurrent") + (w.from() == 0 ? "" : "_" + w.from());
    return x.b.addTensor(
        new TensorSpec(
            name + prefix + what,
            new int[] {w.n(), rows},
            DType.INT8,
            QuantParams.perTensor(scale, 0),
            t));
  }

  /** The int32 bias of an FC from {@code in} (−1 for none), scale s_in·s_w. */
  private int bias(String role, int in, Cols w, float[] bias) {
    if (bias == null) return -1;
    float s = x.b.tensor(in).quant().scale() * weightScale(w.matrix());
    int[] q = new int[bias.length];
    for (int i = 0; i < q.length; i++)
      q[i] = (int) FakeQuant.cRound((float) (bias[i] / (double) s));
    return x.b.addTensor(
        new TensorSpec(
            name + prefix + role + "_bias",
            new int[] {q.length},
            DType.INT32,
            QuantParams.perTensor(s, 0),
            q));
  }

  @Override
  public Integer zeros(String role, int width) {
    QuantParams q = params(role);
    byte[] z = new byte[width];
    Arrays.fill(z, (byte) q.zeroPoint());
    return x.b.addTensor(
        new TensorSpec(name + "/" + role + "0", new int[] {1, width}, DType.INT8, q, z));
  }

  @Override
  public Integer fc(String role, Integer in, Cols w, float[] bias) {
    int o = act(prefix + role, new int[] {1, w.n()}, params(role));
    x.b.addOp(
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
    x.b.addOp(k, new int[] {a, c}, new int[] {o}, opt);
    return o;
  }

  private int unary(String role, OpKind k, int a) {
    int o = act(prefix + role, new int[] {1, width(a)}, params(role));
    x.b.addOp(k, new int[] {a}, new int[] {o}, null);
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
            constant(scaledRole, 0.2f),
            FusedActivation.NONE,
            params(scaledRole));
    int relu = binary(OpKind.ADD, role + "_relu", s, constant(role, 0.5f), FusedActivation.RELU, q);
    long one = Math.min(127, Math.round(1.0 / q.scale()) + q.zeroPoint());
    int c1 =
        x.b.addTensor(
            new TensorSpec(
                name + prefix + role + "_1",
                new int[] {1},
                DType.INT8,
                q,
                new byte[] {(byte) one}));
    return binary(OpKind.MINIMUM, role, relu, c1, FusedActivation.NONE, q);
  }

  /** A positive constant {@code v} stored as 127 with scale v/127 (exact). */
  private int constant(String role, float v) {
    return x.b.addTensor(
        new TensorSpec(
            name + prefix + role + "_" + v,
            new int[] {1},
            DType.INT8,
            QuantParams.perTensor(v / 127f, 0),
            new byte[] {127}));
  }

  @Override
  public List<Integer> split(Integer a, int parts) {
    int u = width(a) / parts;
    QuantParams q = x.b.tensor(a).quant();
    int axis =
        x.b.addTensor(
            new TensorSpec(
                name + prefix + "split" + a + "_axis",
                new int[] {},
                DType.INT32,
                null,
                new int[] {1}));
    List<Integer> outs = new ArrayList<>();
    for (int i = 0; i < parts; i++)
      outs.add(act(prefix + "split" + a + "_" + i, new int[] {1, u}, q));
    x.b.addOp(
        OpKind.SPLIT,
        new int[] {axis, a},
        outs.stream().mapToInt(Integer::intValue).toArray(),
        new OpOptions.Split(parts));
    return outs;
  }

  @Override
  public void output(List<Integer> states, boolean sequences) {
    if (!sequences) {
      x.bind(n, states.get(states.size() - 1));
      return;
    }
    int[] hs = states.stream().mapToInt(Integer::intValue).toArray();
    x.b.addOp(OpKind.PACK, hs, new int[] {x.act(n, params("h"))}, new OpOptions.Pack(hs.length, 1));
  }
}
