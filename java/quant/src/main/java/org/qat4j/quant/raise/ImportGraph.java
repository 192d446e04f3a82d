package org.qat4j.quant.raise;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.Maximum;
import org.qat4j.core.layers.Minimum;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Subtract;
import org.qat4j.core.layers.Tanh;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * Builds the core graph operator by operator; layers are named after their output tensors. The
 * operator table is here; the families' layers are made by ImportConv, ImportArith, ImportSpatial,
 * ImportActivations and ImportCrop.
 */
final class ImportGraph {
  private final TfliteModelInfo m;
  final SubgraphInfo s;
  final GraphBuilder g = new GraphBuilder(0L);
  final Node[] nodes;
  private final Set<String> names = new HashSet<>();
  String where = "subgraph 0";
  private final boolean dequantize;

  /** ADD/MUL state of this graph (BatchNormalizations and Averages spanning two operators). */
  private final ImportArith arith;

  ImportGraph(TfliteModelInfo m, SubgraphInfo s, boolean dequantize) {
    this.dequantize = dequantize;
    this.m = m;
    this.s = s;
    this.nodes = new Node[s.tensors().size()];
    this.arith = new ImportArith(this);
  }

  Model build() {
    TensorInfo in = s.tensor(s.inputs()[0]);
    nodes[in.index()] = g.input(name(in.name()), perSample(in));
    for (OperatorInfo op : s.operators()) {
      where = "subgraph 0, operator " + op.index() + " (" + op.opName() + ")";
      TensorInfo out = s.tensor(op.outputs()[0]);
      Node n = apply(op, out);
      if (!Arrays.equals(n.shape(), perSample(out))) {
        throw new ModelFormatException(
            where,
            "computed shape "
                + Arrays.toString(n.shape())
                + " but the file says "
                + Arrays.toString(out.shape())
                + " (batch first)");
      }
      nodes[out.index()] = n;
    }
    Node output = nodes[s.outputs()[0]];
    if (output == null)
      throw new ModelFormatException(
          "subgraph 0, output 0", "not produced by an imported operator");
    return g.build(output);
  }

  /**
   * Builds the core layer(s) for one operator; {@code n} is the layer name, {@code out} the
   * operator's output.
   */
  @FunctionalInterface
  private interface Handler {
    Node apply(ImportGraph x, OperatorInfo op, String n, TensorInfo out);
  }

  /**
   * One importable operator. {@code splitsActivation}: the core layer cannot carry a fused
   * activation, so a fused RELU/RELU6 becomes its own layer (Conv2D, DepthwiseConv2D and Dense
   * carry theirs).
   */
  private record Row(boolean splitsActivation, Handler handler) {}

  /**
   * How each operator kind imports, or null when it does not (float import: no QUANTIZE or
   * DEQUANTIZE). No default: a new {@link OpKind} does not compile until it is answered here.
   * TfliteImporter's up-front check reads the same table.
   */
  private static Row row(OpKind k) {
    return switch (k) {
      case CONV_2D -> new Row(false, ImportConv::conv);
      case DEPTHWISE_CONV_2D -> new Row(false, ImportConv::depthwise);
      case FULLY_CONNECTED -> new Row(false, ImportConv::dense);
      case ADD -> new Row(true, (x, op, n, out) -> x.arith.add(op, n));
      case MUL -> new Row(true, (x, op, n, out) -> x.arith.mul(op, n));
      case CONCATENATION -> new Row(true, ImportSpatial::concat);
      case MAX_POOL_2D -> new Row(true, ImportSpatial::maxPool);
      case AVERAGE_POOL_2D -> new Row(true, ImportSpatial::averagePool);
      case MEAN -> new Row(false, ImportSpatial::mean);
      case RESHAPE ->
          new Row(false, (x, op, n, out) -> x.unary(op, new Reshape(n, perSample(out))));
      case SOFTMAX -> new Row(false, ImportActivations::softmax);
      case PAD -> new Row(false, ImportSpatial::pad);
      case RELU -> new Row(false, (x, op, n, out) -> x.unary(op, new ReLU(n)));
      case RELU6 -> new Row(false, (x, op, n, out) -> x.unary(op, new ReLU6(n)));
      case LOGISTIC -> new Row(false, (x, op, n, out) -> x.unary(op, new Sigmoid(n)));
      case HARD_SWISH -> new Row(false, (x, op, n, out) -> x.unary(op, new HardSwish(n)));
      // Identities in float: only a dequantizing import takes them (see quantizeOp).
      case QUANTIZE, DEQUANTIZE -> null;
      // operators of models from other tools and data movement: no core layer computes them (yet)
      case CAST, ARG_MAX, ARG_MIN, PADV2, SLICE -> null;
      case SPLIT, SPLIT_V, PACK, UNPACK, TILE, GATHER, SUM, REDUCE_MAX -> null;
      case SQUARED_DIFFERENCE, BATCH_MATMUL, UNIDIRECTIONAL_SEQUENCE_LSTM, L2_NORMALIZATION -> null;
      case SUB -> new Row(true, (x, op, n, out) -> x.binary(op, new Subtract(n)));
      case MAXIMUM -> new Row(false, (x, op, n, out) -> x.binary(op, new Maximum(n)));
      case MINIMUM -> new Row(false, (x, op, n, out) -> x.binary(op, new Minimum(n)));
      case TANH -> new Row(false, (x, op, n, out) -> x.unary(op, new Tanh(n)));
      case LEAKY_RELU ->
          new Row(false, (x, op, n, out) -> x.unary(op, ImportActivations.leakyRelu(op, n)));
      case PRELU -> new Row(false, ImportActivations::prelu);
      case ELU -> new Row(false, (x, op, n, out) -> x.unary(op, new ELU(n)));
      case TRANSPOSE_CONV -> new Row(false, ImportConv::transposeConv);
      case RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR -> new Row(false, ImportSpatial::resize);
      case TRANSPOSE -> new Row(false, ImportSpatial::permute);
      case STRIDED_SLICE -> new Row(false, (x, op, n, out) -> x.unary(op, ImportCrop.of(x, op, n)));
      case GELU -> new Row(false, (x, op, n, out) -> x.unary(op, ImportActivations.gelu(op, n)));
    };
  }

  private static final Map<OpKind, Row> OPS = new EnumMap<>(OpKind.class);

  static {
    for (OpKind k : OpKind.values()) if (row(k) != null) OPS.put(k, row(k));
  }

  /** The builtin operators {@link #build()} imports. */
  static Set<OpKind> operators() {
    return Collections.unmodifiableSet(OPS.keySet());
  }

  /** Whether {@code op} is a builtin this importer takes. */
  static boolean imports(OperatorInfo op) {
    return !op.custom() && OPS.containsKey(OpKind.fromBuiltin(op.builtinCode()));
  }

  /** QUANTIZE or DEQUANTIZE, which a dequantizing import takes as the identity. */
  static boolean quantizeOp(OperatorInfo op) {
    if (op.custom()) return false;
    OpKind k = OpKind.fromBuiltin(op.builtinCode());
    return k == OpKind.QUANTIZE || k == OpKind.DEQUANTIZE;
  }

  private Node apply(OperatorInfo op, TensorInfo out) {
    if (dequantize && quantizeOp(op)) return node(op.inputs()[0]);
    Node averaged = arith.averaged(out.index());
    if (averaged != null) return averaged;
    if (!imports(op)) throw new ModelFormatException(where, "unsupported operator");
    Row row = OPS.get(OpKind.fromBuiltin(op.builtinCode()));
    Object act = op.options().get("fused_activation_function");
    boolean split = row.splitsActivation() && act != null && !"NONE".equals(act);
    // When the fused activation becomes its own layer, that layer takes the tensor's name.
    String n = name(split ? out.name() + "/" + op.opName().toLowerCase() : out.name());
    Node node = row.handler().apply(this, op, n, out);
    return split ? ImportActivations.layer(this, act, node, out) : node;
  }

  Node unary(OperatorInfo op, Layer layer) {
    return g.add(layer, node(op.inputs()[0]));
  }

  /** SUB, MAXIMUM or MINIMUM of two activations of one shape. */
  Node binary(OperatorInfo op, Layer l) {
    return g.add(l, node(op.inputs()[0]), node(op.inputs()[1]));
  }

  Padding padding(OperatorInfo op) {
    Object p = op.options().get("padding");
    if (!"SAME".equals(p) && !"VALID".equals(p))
      throw new ModelFormatException(where, "padding " + p + " is not supported");
    return Padding.valueOf((String) p);
  }

  int opt(OperatorInfo op, String key) {
    Object v = op.options().get(key);
    if (!(v instanceof Integer i)) throw new ModelFormatException(where, "missing option " + key);
    return i;
  }

  Node node(int tensor) {
    Node n = tensor >= 0 ? nodes[tensor] : null;
    if (n == null) {
      throw new ModelFormatException(
          where,
          "input tensor "
              + tensor
              + " is not an activation produced by an imported operator"
              + " (constant operands are only supported as weights)");
    }
    return n;
  }

  TensorInfo constant(int tensor, String what) {
    if (tensor < 0 || !s.tensor(tensor).constant())
      throw new ModelFormatException(where, what + " (tensor " + tensor + ") must be a constant");
    return s.tensor(tensor);
  }

  /** Values of a constant: float32 as stored, int8/uint8/int32 dequantized (per axis if so). */
  float[] floats(TensorInfo t) {
    if (t.dtype() != DType.FLOAT32) return Dequantize.values(m.tensorData(0, t.index()), t, where);
    FloatBuffer b = m.tensorData(0, t.index()).asFloatBuffer();
    float[] a = new float[b.remaining()];
    b.get(a);
    return a;
  }

  int[] ints(TensorInfo t) {
    IntBuffer b = m.tensorData(0, t.index()).asIntBuffer();
    int[] a = new int[b.remaining()];
    b.get(a);
    return a;
  }

  void copy(Tensor dst, float[] src, String what) {
    if (dst.size() != src.length)
      throw new ModelFormatException(
          where, what + " has " + src.length + " values, layer expects " + dst.size());
    dst.copyFrom(src);
  }

  static int[] perSample(TensorInfo t) {
    int[] sh = t.shape();
    return Arrays.copyOfRange(sh, Math.min(1, sh.length), sh.length);
  }

  /** A unique, non-empty layer name derived from a tensor name. */
  String name(String base) {
    String b = base == null || base.isEmpty() ? "layer" : base;
    String n = b;
    for (int k = 1; !names.add(n); k++) n = b + "_" + k;
    return n;
  }
}
