package org.qat4j.quant.raise;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.Average;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Maximum;
import org.qat4j.core.layers.Minimum;
import org.qat4j.core.layers.Multiply;
import org.qat4j.core.layers.PReLU;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Resizing;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.Subtract;
import org.qat4j.core.layers.Tanh;
import org.qat4j.core.layers.UpSampling2D;
import org.qat4j.core.layers.ZeroPadding2D;
import org.qat4j.ir.DType;
import org.qat4j.ir.OpKind;
import org.qat4j.quant.lower.Resampling;
import org.qat4j.tflite.ModelFormatException;
import org.qat4j.tflite.OperatorInfo;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;

/** Builds the core graph operator by operator; layers are named after their output tensors. */
final class ImportGraph {
  private final TfliteModelInfo m;
  final SubgraphInfo s;
  private final GraphBuilder g = new GraphBuilder(0L);
  private final Node[] nodes;
  private final Set<String> names = new HashSet<>();
  String where = "subgraph 0";
  private final boolean dequantize;

  /**
   * Readers of each tensor (operators and graph outputs), to know when a MUL's result may absorb
   * the next ADD.
   */
  private final int[] readers;

  /**
   * BatchNormalizations made from a MUL whose output only the next ADD reads, by that output
   * tensor.
   */
  private final Map<Integer, BatchNormalization> scaled = new HashMap<>();

  /** The (last) operator reading each tensor. */
  private final OperatorInfo[] readerOp;

  /** Average layers made from an ADD, by the output tensor of the MUL by ½ that they absorb. */
  private final Map<Integer, Node> averages = new HashMap<>();

  ImportGraph(TfliteModelInfo m, SubgraphInfo s, boolean dequantize) {
    this.dequantize = dequantize;
    this.m = m;
    this.s = s;
    this.nodes = new Node[s.tensors().size()];
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
      case CONV_2D -> new Row(false, (x, op, n, out) -> x.conv(op, n));
      case DEPTHWISE_CONV_2D -> new Row(false, (x, op, n, out) -> x.depthwise(op, n));
      case FULLY_CONNECTED -> new Row(false, (x, op, n, out) -> x.dense(op, n));
      case ADD -> new Row(true, (x, op, n, out) -> x.add(op, n));
      case MUL -> new Row(true, (x, op, n, out) -> x.mul(op, n));
      case CONCATENATION -> new Row(true, (x, op, n, out) -> x.concat(op, n));
      case MAX_POOL_2D -> new Row(true, (x, op, n, out) -> x.unary(op, x.pool(op, n, true)));
      case AVERAGE_POOL_2D -> new Row(true, (x, op, n, out) -> x.unary(op, x.pool(op, n, false)));
      case MEAN -> new Row(false, (x, op, n, out) -> x.mean(op, n, out));
      case RESHAPE ->
          new Row(false, (x, op, n, out) -> x.unary(op, new Reshape(n, perSample(out))));
      case SOFTMAX -> new Row(false, (x, op, n, out) -> x.softmax(op, n));
      case PAD -> new Row(false, (x, op, n, out) -> x.pad(op, n));
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
          new Row(false, (x, op, n, out) -> x.unary(op, new LeakyReLU(n, x.alpha(op))));
      case PRELU -> new Row(false, (x, op, n, out) -> x.prelu(op, n));
      case ELU -> new Row(false, (x, op, n, out) -> x.unary(op, new ELU(n)));
      case TRANSPOSE_CONV -> new Row(false, (x, op, n, out) -> x.transposeConv(op, n, out));
      case RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR ->
          new Row(false, (x, op, n, out) -> x.unary(op, x.upSampling(op, n, out)));
      case TRANSPOSE -> new Row(false, (x, op, n, out) -> x.unary(op, x.permute(op, n)));
      case STRIDED_SLICE -> new Row(false, (x, op, n, out) -> x.unary(op, ImportCrop.of(x, op, n)));
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
    Node averaged = averages.remove(out.index());
    if (averaged != null) return averaged;
    if (!imports(op)) throw new ModelFormatException(where, "unsupported operator");
    Row row = OPS.get(OpKind.fromBuiltin(op.builtinCode()));
    Object act = op.options().get("fused_activation_function");
    boolean split = row.splitsActivation() && act != null && !"NONE".equals(act);
    // When the fused activation becomes its own layer, that layer takes the tensor's name.
    String n = name(split ? out.name() + "/" + op.opName().toLowerCase() : out.name());
    Node node = row.handler().apply(this, op, n, out);
    return split ? activationLayer(act, node, out) : node;
  }

  private Node unary(OperatorInfo op, Layer layer) {
    return g.add(layer, node(op.inputs()[0]));
  }

  private Node conv(OperatorInfo op, String n) {
    int[] ins = op.inputs();
    TensorInfo w = constant(ins[1], "filter");
    int[] ws = w.shape(); // OHWI
    boolean bias = ins.length > 2 && ins[2] >= 0;
    Conv2D c =
        new Conv2D(n, ws[0], ws[1], ws[2])
            .strides(opt(op, "stride_h"), opt(op, "stride_w"))
            .dilation(opt(op, "dilation_h_factor"), opt(op, "dilation_w_factor"))
            .padding(padding(op))
            .useBias(bias)
            .activation(activation(op));
    Node node = g.add(c, node(ins[0]));
    float[] dst = ohwiToHwio(floats(w), ws);
    copy(c.kernel().value(), dst, "filter");
    if (bias) copy(c.bias().value(), floats(constant(ins[2], "bias")), "bias");
    return node;
  }

  /** OHWI [o, kh, kw, i] weights as HWIO [kh, kw, i, o] (the core layout). */
  private static float[] ohwiToHwio(float[] src, int[] ws) {
    float[] dst = new float[src.length];
    int o = ws[0], kh = ws[1], kw = ws[2], ci = ws[3];
    for (int a = 0; a < o; a++)
      for (int h = 0; h < kh; h++)
        for (int x = 0; x < kw; x++)
          for (int i = 0; i < ci; i++)
            dst[((h * kw + x) * ci + i) * o + a] = src[((a * kh + h) * kw + x) * ci + i];
    return dst;
  }

  /**
   * TRANSPOSE_CONV (inputs output shape, OHWI weights, data, bias) as a Conv2DTranspose; refused
   * when the output size is not Keras's for that padding (an output_padding the layer lacks).
   */
  private Node transposeConv(OperatorInfo op, String n, TensorInfo out) {
    int[] ins = op.inputs();
    TensorInfo w = constant(ins[1], "filter");
    int[] ws = w.shape();
    boolean bias = ins.length > 3 && ins[3] >= 0;
    Conv2DTranspose c =
        new Conv2DTranspose(n, ws[0], ws[1], ws[2])
            .strides(opt(op, "stride_h"), opt(op, "stride_w"))
            .padding(padding(op))
            .useBias(bias)
            .activation(activation(op));
    int[] want = c.outputShape(perSample(s.tensor(ins[2])));
    if (!Arrays.equals(want, perSample(out)))
      throw new ModelFormatException(
          where,
          "TRANSPOSE_CONV output "
              + Arrays.toString(perSample(out))
              + " is not the Conv2DTranspose size "
              + Arrays.toString(want));
    Node node = g.add(c, node(ins[2]));
    copy(c.kernel().value(), ohwiToHwio(floats(w), ws), "filter");
    if (bias) copy(c.bias().value(), floats(constant(ins[3], "bias")), "bias");
    return node;
  }

  /**
   * A resize by whole factors as UpSampling2D: bilinear with half-pixel centres, or nearest that
   * picks ⌊y / factor⌋ (half-pixel centres, or no flags where TFLite's float32 scale gives the same
   * rows); other half-pixel resizes as Resizing; the rest have no core layer.
   */
  private Layer upSampling(OperatorInfo op, String n, TensorInfo out) {
    int[] in = perSample(s.tensor(op.inputs()[0])), o = perSample(out);
    boolean bilinear = op.builtinCode() == OpKind.RESIZE_BILINEAR.builtinCode();
    boolean half = Boolean.TRUE.equals(op.options().get("half_pixel_centers"));
    boolean corners = Boolean.TRUE.equals(op.options().get("align_corners"));
    boolean image = in.length == 3 && o.length == 3 && in[0] > 0 && in[1] > 0 && o[0] > 0;
    boolean whole = image && o[0] % in[0] == 0 && o[1] % in[1] == 0 && o[1] > 0;
    int fh = whole ? o[0] / in[0] : 0, fw = whole ? o[1] / in[1] : 0;
    boolean exact =
        half
            || (!bilinear
                && !corners
                && Resampling.exactWithoutFlags(in[0], fh)
                && Resampling.exactWithoutFlags(in[1], fw));
    if (image && !whole && half && !corners) return new Resizing(n, o[0], o[1], bilinear);
    if (!whole || corners || !exact || (bilinear && !half))
      throw new ModelFormatException(
          where,
          op.opName()
              + " from "
              + Arrays.toString(in)
              + " to "
              + Arrays.toString(o)
              + (corners ? " with align_corners" : half ? "" : " without half-pixel centres")
              + " is not an UpSampling2D (whole factors, half-pixel centres)");
    return new UpSampling2D(n, fh, fw, bilinear);
  }

  private Node depthwise(OperatorInfo op, String n) {
    int[] ins = op.inputs();
    TensorInfo w = constant(ins[1], "filter");
    int[] ws = w.shape(); // [1, kh, kw, C·mult] has the memory order of [kh, kw, C, mult]
    int channels = s.tensor(ins[0]).shape()[3];
    if (ws[0] != 1 || channels == 0 || ws[3] % channels != 0) {
      throw new ModelFormatException(
          where,
          "filter shape " + Arrays.toString(ws) + " does not fit " + channels + " input channels");
    }
    boolean bias = ins.length > 2 && ins[2] >= 0;
    DepthwiseConv2D d =
        new DepthwiseConv2D(n, ws[1], ws[2])
            .depthMultiplier(ws[3] / channels)
            .strides(opt(op, "stride_h"), opt(op, "stride_w"))
            .dilation(opt(op, "dilation_h_factor"), opt(op, "dilation_w_factor"))
            .padding(padding(op))
            .useBias(bias)
            .activation(activation(op));
    Node node = g.add(d, node(ins[0]));
    copy(d.kernel().value(), floats(w), "filter");
    if (bias) copy(d.bias().value(), floats(constant(ins[2], "bias")), "bias");
    return node;
  }

  private Node dense(OperatorInfo op, String n) {
    int[] ins = op.inputs();
    if (Boolean.TRUE.equals(op.options().get("keep_num_dims")))
      throw new ModelFormatException(where, "keep_num_dims is not supported");
    TensorInfo w = constant(ins[1], "weights");
    int units = w.shape()[0], inDim = w.shape()[1];
    Node x = node(ins[0]);
    if (x.shape().length != 1) x = g.add(new Flatten(name(n + "/flatten")), x);
    boolean bias = ins.length > 2 && ins[2] >= 0;
    Dense d = new Dense(n, units).useBias(bias).activation(activation(op));
    Node node = g.add(d, x);
    float[] src = floats(w);
    float[] dst = new float[src.length]; // [in, units]
    for (int u = 0; u < units; u++)
      for (int i = 0; i < inDim; i++) dst[i * units + u] = src[u * inDim + i];
    copy(d.kernel().value(), dst, "weights");
    if (bias) copy(d.bias().value(), floats(constant(ins[2], "bias")), "bias");
    return node;
  }

  /**
   * ADD of two activations, or of a per-channel constant: then the shift of a BatchNormalization
   * (see {@link #mul}).
   */
  private Node add(OperatorInfo op, String n) {
    int c = constantOperand(op);
    int[] in = op.inputs();
    if (c < 0) {
      OperatorInfo half = halving(op);
      if (half == null) return g.add(new Add(n), node(in[0]), node(in[1]));
      Node avg =
          g.add(new Average(name(s.tensor(half.outputs()[0]).name())), node(in[0]), node(in[1]));
      averages.put(half.outputs()[0], avg);
      return avg;
    }
    int a = in[1 - c];
    float[] shift = channelVector(in[c], a);
    BatchNormalization bn = scaled.remove(a);
    Node node = bn != null ? nodes[a] : g.add(bn = scaleShift(n), node(a));
    copy(bn.beta().value(), shift, "shift");
    return node;
  }

  /**
   * MUL by a per-channel constant (TFLite's form of a BatchNormalization that could not fold) as a
   * BatchNormalization with gamma = the constant, mean 0, variance 1; a following ADD of a constant
   * becomes its beta. MUL of two activations of one shape is a Multiply.
   */
  private Node mul(OperatorInfo op, String n) {
    int c = constantOperand(op);
    if (c < 0) return g.add(new Multiply(n), node(op.inputs()[0]), node(op.inputs()[1]));
    int a = op.inputs()[1 - c];
    float[] scale = channelVector(op.inputs()[c], a);
    BatchNormalization bn = scaleShift(n);
    Node node = g.add(bn, node(a));
    copy(bn.gamma().value(), scale, "scale");
    int out = op.outputs()[0];
    boolean plain = "NONE".equals(op.options().getOrDefault("fused_activation_function", "NONE"));
    if (plain && readers[out] == 1) scaled.put(out, bn);
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
    if (k < 0 || !s.tensor(k).constant()) return null;
    float[] v = floats(s.tensor(k));
    // a dequantizing import reads ½ back as 127·(0.5/127), within a float step of 0.5
    return v.length == 1 && Math.abs(v[0] - 0.5f) <= 1e-6f ? m : null;
  }

  private static boolean plain(OperatorInfo op) {
    return "NONE".equals(op.options().getOrDefault("fused_activation_function", "NONE"));
  }

  /** SUB, MAXIMUM or MINIMUM of two activations of one shape. */
  private Node binary(OperatorInfo op, Layer l) {
    return g.add(l, node(op.inputs()[0]), node(op.inputs()[1]));
  }

  private float alpha(OperatorInfo op) {
    return op.options().get("alpha") instanceof Float a ? a : 0f;
  }

  /**
   * PRELU with a constant slope broadcast to the input (right-aligned, as NumPy): the axes where
   * the slope has size 1 become the PReLU's shared axes.
   */
  private Node prelu(OperatorInfo op, String n) {
    int[] xs = perSample(s.tensor(op.inputs()[0]));
    TensorInfo a = constant(op.inputs()[1], "alpha");
    int[] as = a.shape(), full = new int[xs.length];
    if (as.length > xs.length + 1 || (as.length == xs.length + 1 && as[0] != 1))
      throw new ModelFormatException(where, "alpha " + Arrays.toString(as) + " has a batch axis");
    List<Integer> shared = new ArrayList<>();
    for (int d = xs.length - 1, k = as.length - 1; d >= 0; d--, k--) {
      full[d] = k >= 0 ? as[k] : 1;
      if (full[d] != xs[d] && full[d] != 1)
        throw new ModelFormatException(
            where,
            "alpha " + Arrays.toString(as) + " does not broadcast to " + Arrays.toString(xs));
      if (full[d] == 1 && xs[d] != 1) shared.add(0, d + 1);
    }
    PReLU p = new PReLU(n, shared.stream().mapToInt(Integer::intValue).toArray());
    Node node = g.add(p, node(op.inputs()[0]));
    copy(p.alpha().value(), floats(a), "alpha");
    return node;
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
    boolean c0 = in[0] >= 0 && s.tensor(in[0]).constant(),
        c1 = in[1] >= 0 && s.tensor(in[1]).constant();
    if (c0 && c1) throw new ModelFormatException(where, "both operands are constant");
    return c0 ? 0 : c1 ? 1 : -1;
  }

  /**
   * The values of constant {@code t}, which must broadcast along the last axis of activation {@code
   * a} (shape [C] or [1, …, C]).
   */
  private float[] channelVector(int t, int a) {
    TensorInfo k = s.tensor(t);
    int[] ks = k.shape(), as = s.tensor(a).shape();
    int channels = as.length == 0 ? 0 : as[as.length - 1];
    boolean ok = ks.length >= 1 && ks[ks.length - 1] == channels;
    for (int d = 0; ok && d < ks.length - 1; d++) ok = ks[d] == 1;
    if (!ok) {
      throw new ModelFormatException(
          where,
          "constant "
              + Arrays.toString(ks)
              + " must be one value per channel (["
              + channels
              + "]) of input "
              + Arrays.toString(as));
    }
    return floats(k);
  }

  private Node concat(OperatorInfo op, String n) {
    int rank = s.tensor(op.outputs()[0]).shape().length;
    int axis = opt(op, "axis");
    if (axis != -1 && axis != rank - 1)
      throw new ModelFormatException(where, "only the last axis is supported, got axis " + axis);
    Node[] xs = new Node[op.inputs().length];
    for (int i = 0; i < xs.length; i++) xs[i] = node(op.inputs()[i]);
    return g.add(new Concatenate(n), xs);
  }

  private Node mean(OperatorInfo op, String n, TensorInfo out) {
    int[] axes = ints(constant(op.inputs()[1], "axes"));
    Arrays.sort(axes);
    if (s.tensor(op.inputs()[0]).shape().length != 4 || !Arrays.equals(axes, new int[] {1, 2})) {
      throw new ModelFormatException(
          where,
          "only the global spatial mean (axes [1, 2] of NHWC) is supported, got "
              + Arrays.toString(axes));
    }
    boolean keep = Boolean.TRUE.equals(op.options().get("keep_dims"));
    Node gap = g.add(new GlobalAveragePooling2D(keep ? name(n + "/gap") : n), node(op.inputs()[0]));
    return keep ? g.add(new Reshape(n, perSample(out)), gap) : gap;
  }

  private Node softmax(OperatorInfo op, String n) {
    Object beta = op.options().get("beta");
    if (beta instanceof Float b && b != 1f)
      throw new ModelFormatException(where, "beta " + b + " is not supported (only 1)");
    return unary(op, new Softmax(n));
  }

  /** TRANSPOSE with a constant permutation that keeps the batch axis first, as Permute. */
  private Layer permute(OperatorInfo op, String n) {
    int[] p = ints(constant(op.inputs()[1], "perm"));
    if (p.length < 2 || p[0] != 0)
      throw new ModelFormatException(
          where,
          "only permutations keeping the batch axis first import, got " + Arrays.toString(p));
    return new Permute(n, Arrays.copyOfRange(p, 1, p.length));
  }

  private Node pad(OperatorInfo op, String n) {
    int[] p = ints(constant(op.inputs()[1], "paddings"));
    if (p.length != 8 || p[0] != 0 || p[1] != 0 || p[6] != 0 || p[7] != 0) {
      throw new ModelFormatException(
          where, "only spatial padding of NHWC is supported, got " + Arrays.toString(p));
    }
    return g.add(new ZeroPadding2D(n, p[2], p[3], p[4], p[5]), node(op.inputs()[0]));
  }

  /** Adds a standalone activation layer for a fused activation the core layer cannot carry. */
  private Node activationLayer(Object act, Node n, TensorInfo out) {
    String base = name(out.name());
    return switch (act.toString()) {
      case "RELU" -> g.add(new ReLU(base), n);
      case "RELU6" -> g.add(new ReLU6(base), n);
      default ->
          throw new ModelFormatException(where, "fused activation " + act + " is not supported");
    };
  }

  private Activation activation(OperatorInfo op) {
    Object a = op.options().getOrDefault("fused_activation_function", "NONE");
    return switch (a.toString()) {
      case "NONE" -> Activation.NONE;
      case "RELU" -> Activation.RELU;
      case "RELU6" -> Activation.RELU6;
      default ->
          throw new ModelFormatException(where, "fused activation " + a + " is not supported");
    };
  }

  /** A MaxPool2D ({@code max}) or AveragePool2D layer from a pool operator's options. */
  private Layer pool(OperatorInfo op, String n, boolean max) {
    int fh = opt(op, "filter_height"), fw = opt(op, "filter_width");
    int sh = opt(op, "stride_h"), sw = opt(op, "stride_w");
    return max
        ? new MaxPool2D(n, fh, fw).strides(sh, sw).padding(padding(op))
        : new AveragePool2D(n, fh, fw).strides(sh, sw).padding(padding(op));
  }

  private Padding padding(OperatorInfo op) {
    Object p = op.options().get("padding");
    if (!"SAME".equals(p) && !"VALID".equals(p))
      throw new ModelFormatException(where, "padding " + p + " is not supported");
    return Padding.valueOf((String) p);
  }

  private int opt(OperatorInfo op, String key) {
    Object v = op.options().get(key);
    if (!(v instanceof Integer i)) throw new ModelFormatException(where, "missing option " + key);
    return i;
  }

  private Node node(int tensor) {
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
  private float[] floats(TensorInfo t) {
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

  private void copy(org.qat4j.core.Tensor dst, float[] src, String what) {
    if (dst.size() != src.length)
      throw new ModelFormatException(
          where, what + " has " + src.length + " values, layer expects " + dst.size());
    dst.copyFrom(src);
  }

  private static int[] perSample(TensorInfo t) {
    int[] sh = t.shape();
    return Arrays.copyOfRange(sh, Math.min(1, sh.length), sh.length);
  }

  /** A unique, non-empty layer name derived from a tensor name. */
  private String name(String base) {
    String b = base == null || base.isEmpty() ? "layer" : base;
    String n = b;
    for (int k = 1; !names.add(n); k++) n = b + "_" + k;
    return n;
  }
}
