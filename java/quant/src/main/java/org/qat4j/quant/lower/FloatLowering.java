package org.qat4j.quant.lower;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.Average;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Cropping2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Dropout;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.Gelu;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.GlobalMaxPooling2D;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.LSTM;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Maximum;
import org.qat4j.core.layers.Minimum;
import org.qat4j.core.layers.Multiply;
import org.qat4j.core.layers.Normalization;
import org.qat4j.core.layers.PReLU;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Rescaling;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Resizing;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.SpatialDropout1D;
import org.qat4j.core.layers.Subtract;
import org.qat4j.core.layers.Tanh;
import org.qat4j.core.layers.UpSampling2D;
import org.qat4j.core.layers.ZeroPadding2D;
import org.qat4j.ir.DType;
import org.qat4j.ir.FusedActivation;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.LoweredGraphBuilder;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpOptions;
import org.qat4j.ir.QuantParams;
import org.qat4j.ir.TensorSpec;
import org.qat4j.quant.layers.BatchNormFold;

/**
 * Lowers a core {@link Model} to a float32 {@link LoweredGraph} (batch 1, NHWC): BN folded, ReLU
 * fused per {@link FusionPlan}, weights in TFLite layouts. Activation tensors are named after the
 * core node whose output they hold. Unsupported layers fail with one error listing all of them.
 */
public final class FloatLowering {
  private final Model model;
  final LoweredGraphBuilder b;
  private final Map<Node, Integer> tensorOf = new IdentityHashMap<>();

  private FloatLowering(Model model) {
    this.model = model;
    this.b = new LoweredGraphBuilder(model.inputs().get(0).name() + "_float");
  }

  /** The float32 lowered graph of {@code model} (weights copied; the model is not modified). */
  public static LoweredGraph lower(Model model) {
    return new FloatLowering(model).run();
  }

  private LoweredGraph run() {
    FusionPlan plan = FusionPlan.of(model);
    List<String> bad = new ArrayList<>();
    for (FusionPlan.Step s : plan.steps()) {
      if (!supports(s.main().layer())) {
        bad.add(
            "'"
                + s.main().name()
                + "' ("
                + s.main().layer().type()
                + "): no TFLite lowering for this layer type");
      }
    }
    if (!bad.isEmpty())
      throw new IllegalArgumentException("cannot lower to TFLite: " + String.join("; ", bad));
    int[] ins = new int[model.inputs().size()];
    for (int i = 0; i < ins.length; i++) {
      Node in = model.inputs().get(i);
      ins[i] =
          b.addTensor(TensorSpec.activation(in.name(), batch1(in.shape()), DType.FLOAT32, null));
      tensorOf.put(in, ins[i]);
    }
    b.setInputs(ins);
    for (FusionPlan.Step s : plan.steps()) lowerStep(s);
    b.setOutputs(model.outputs().stream().mapToInt(tensorOf::get).toArray());
    b.description("qat4j float32 model");
    return b.build();
  }

  static int[] batch1(int[] perSample) {
    int[] s = new int[perSample.length + 1];
    s[0] = 1;
    System.arraycopy(perSample, 0, s, 1, perSample.length);
    return s;
  }

  int input(Node n, int i) {
    return tensorOf.get(n.inputs().get(i));
  }

  int output(FusionPlan.Step s) {
    Node last = s.last();
    int t =
        b.addTensor(TensorSpec.activation(last.name(), batch1(last.shape()), DType.FLOAT32, null));
    tensorOf.put(last, t);
    return t;
  }

  /** Makes the existing tensor {@code t} the step's output, renamed after its last node. */
  void bind(FusionPlan.Step s, int t) {
    Node last = s.last();
    TensorSpec spec = b.tensor(t);
    b.setTensor(t, new TensorSpec(last.name(), spec.shape(), spec.type(), spec.quant(), null));
    tensorOf.put(last, t);
  }

  LoweredGraphBuilder builder() {
    return b;
  }

  int inputOf(Node n, int i) {
    return input(n, i);
  }

  int outputOf(FusionPlan.Step s) {
    return output(s);
  }

  int constF(String name, int[] shape, float[] data) {
    return b.addTensor(new TensorSpec(name, shape, DType.FLOAT32, null, data));
  }

  int constI(String name, int[] shape, int[] data) {
    return b.addTensor(new TensorSpec(name, shape, DType.INT32, null, data));
  }

  /**
   * How one layer class lowers, given the layer as its own type; the step carries the fused
   * activation and any folded BatchNormalization.
   */
  @FunctionalInterface
  private interface Rule<L extends Layer> {
    void lower(FloatLowering x, FusionPlan.Step s, L layer);
  }

  private record Row<L extends Layer>(Class<L> type, Rule<L> rule) {
    void lower(FloatLowering x, FusionPlan.Step s) {
      rule.lower(x, s, type.cast(s.main().layer()));
    }
  }

  private static <L extends Layer> Map.Entry<Class<?>, Row<?>> row(Class<L> type, Rule<L> rule) {
    return Map.entry(type, new Row<>(type, rule));
  }

  /** A single-input layer that {@code e} emits from its input into its output tensor. */
  private static <L extends Layer> Map.Entry<Class<?>, Row<?>> moved(
      Class<L> type, Resampling.Emit<L> e) {
    return row(type, (x, s, l) -> e.emit(x.b, s.main(), l, x.input(s.main(), 0), x.output(s)));
  }

  /** The only list of float-lowerable layer classes, one row each. */
  private static final Map<Class<?>, Row<?>> RULES =
      Map.ofEntries(
          row(Conv2D.class, (x, s, l) -> x.lowerWeighted(s, s.fused())),
          row(DepthwiseConv2D.class, (x, s, l) -> x.lowerWeighted(s, s.fused())),
          row(Dense.class, (x, s, l) -> x.lowerWeighted(s, s.fused())),
          row(Add.class, (x, s, l) -> x.lowerAdd(s, s.fused())),
          row(Multiply.class, (x, s, l) -> x.lowerMultiply(s)),
          row(Concatenate.class, (x, s, l) -> x.lowerConcat(s)),
          row(
              MaxPool2D.class,
              (x, s, p) ->
                  x.pool(s, OpKind.MAX_POOL_2D, p.poolSize(), p.strides(), p.padding().name())),
          row(
              AveragePool2D.class,
              (x, s, p) ->
                  x.pool(s, OpKind.AVERAGE_POOL_2D, p.poolSize(), p.strides(), p.padding().name())),
          row(GlobalAveragePooling2D.class, (x, s, l) -> x.lowerMean(s)),
          row(GlobalMaxPooling2D.class, (x, s, l) -> x.lowerGlobalMax(s)),
          row(BatchNormalization.class, FloatElementwise::batchNorm),
          row(ReLU.class, (x, s, l) -> x.lowerUnary(s, OpKind.RELU)),
          row(ReLU6.class, (x, s, l) -> x.lowerUnary(s, OpKind.RELU6)),
          row(Sigmoid.class, (x, s, l) -> x.lowerUnary(s, OpKind.LOGISTIC)),
          row(HardSwish.class, (x, s, l) -> x.lowerUnary(s, OpKind.HARD_SWISH)),
          row(Softmax.class, (x, s, l) -> x.lowerUnary(s, OpKind.SOFTMAX)),
          row(Dropout.class, (x, s, l) -> x.tensorOf.put(s.main(), x.input(s.main(), 0))),
          row(Flatten.class, (x, s, l) -> x.lowerReshape(s)),
          row(Reshape.class, (x, s, l) -> x.lowerReshape(s)),
          row(ZeroPadding2D.class, (x, s, l) -> x.lowerPad(s)),
          row(Subtract.class, (x, s, l) -> FloatElementwise.binary(x, s, OpKind.SUB)),
          row(Maximum.class, (x, s, l) -> FloatElementwise.binary(x, s, OpKind.MAXIMUM)),
          row(Minimum.class, (x, s, l) -> FloatElementwise.binary(x, s, OpKind.MINIMUM)),
          row(Average.class, (x, s, l) -> FloatElementwise.average(x, s)),
          row(LeakyReLU.class, (x, s, l) -> FloatElementwise.leaky(x, s, l)),
          row(PReLU.class, (x, s, l) -> FloatElementwise.prelu(x, s, l)),
          row(Tanh.class, (x, s, l) -> x.lowerUnary(s, OpKind.TANH)),
          row(ELU.class, (x, s, l) -> x.lowerUnary(s, OpKind.ELU)),
          row(Embedding.class, SequenceLowering::embedding),
          row(SpatialDropout1D.class, (x, s, l) -> x.tensorOf.put(s.main(), x.input(s.main(), 0))),
          row(LSTM.class, SequenceLowering::recurrent),
          row(GRU.class, SequenceLowering::recurrent),
          row(Conv2DTranspose.class, (x, s, l) -> x.lowerWeighted(s, s.fused())),
          moved(UpSampling2D.class, Resampling::upSample),
          moved(Permute.class, Resampling::permute),
          moved(Cropping2D.class, Resampling::crop),
          moved(Resizing.class, Resampling::resize),
          row(Rescaling.class, (x, s, l) -> FloatElementwise.rescaling(x, s, l)),
          row(
              Normalization.class,
              (x, s, l) -> FloatElementwise.affine(x, s, l.multiplier(), l.shift())),
          row(Gelu.class, (x, s, l) -> FloatElementwise.gelu(x, s, l)));

  /** Whether {@code l} lowers to float TFLite operators. */
  static boolean supports(Layer l) {
    return RULES.containsKey(l.getClass());
  }

  private void lowerStep(FusionPlan.Step s) {
    RULES.get(s.main().layer().getClass()).lower(this, s);
  }

  private void lowerConcat(FusionPlan.Step s) {
    Node n = s.main();
    int[] ins = new int[n.inputs().size()];
    for (int i = 0; i < ins.length; i++) ins[i] = input(n, i);
    b.addOp(
        OpKind.CONCATENATION,
        ins,
        new int[] {output(s)},
        new OpOptions.Concat(n.shape().length, s.fused()));
  }

  private void lowerMean(FusionPlan.Step s) {
    Node n = s.main();
    int axes = constI(n.name() + "/axes", new int[] {2}, new int[] {1, 2});
    b.addOp(
        OpKind.MEAN,
        new int[] {input(n, 0), axes},
        new int[] {output(s)},
        new OpOptions.Reducer(false));
  }

  private void lowerReshape(FusionPlan.Step s) {
    Node n = s.main();
    int[] shape = batch1(n.shape());
    int st = constI(n.name() + "/shape", new int[] {shape.length}, shape);
    b.addOp(
        OpKind.RESHAPE,
        new int[] {input(n, 0), st},
        new int[] {output(s)},
        new OpOptions.Reshape(shape));
  }

  /** MAX_POOL_2D over the whole H×W (VALID) into [1, 1, 1, C], then RESHAPE to [1, C]. */
  private void lowerGlobalMax(FusionPlan.Step s) {
    Node n = s.main();
    int[] in = n.inputs().get(0).shape();
    int pooled =
        b.addTensor(
            TensorSpec.activation(
                n.name() + "/pooled", new int[] {1, 1, 1, in[2]}, DType.FLOAT32, null));
    b.addOp(
        OpKind.MAX_POOL_2D,
        new int[] {input(n, 0)},
        new int[] {pooled},
        new OpOptions.Pool("VALID", 1, 1, in[0], in[1], FusedActivation.NONE));
    int[] shape = batch1(n.shape());
    int st = constI(n.name() + "/shape", new int[] {shape.length}, shape);
    b.addOp(
        OpKind.RESHAPE,
        new int[] {pooled, st},
        new int[] {output(s)},
        new OpOptions.Reshape(shape));
  }

  private void lowerPad(FusionPlan.Step s) {
    Node n = s.main();
    int[] p = LayerSupport.zeroPadding(n);
    int pads =
        constI(
            n.name() + "/paddings",
            new int[] {4, 2},
            new int[] {0, 0, p[0], p[1], p[2], p[3], 0, 0});
    b.addOp(OpKind.PAD, new int[] {input(n, 0), pads}, new int[] {output(s)}, null);
  }

  private void pool(FusionPlan.Step s, OpKind k, int[] ps, int[] st, String padding) {
    b.addOp(
        k,
        new int[] {input(s.main(), 0)},
        new int[] {output(s)},
        new OpOptions.Pool(padding, st[0], st[1], ps[0], ps[1], FusedActivation.NONE));
  }

  private void lowerUnary(FusionPlan.Step s, OpKind k) {
    b.addOp(
        k,
        new int[] {input(s.main(), 0)},
        new int[] {output(s)},
        k == OpKind.SOFTMAX ? new OpOptions.Softmax(1f) : null);
  }

  private void lowerMultiply(FusionPlan.Step s) {
    Node n = s.main();
    b.addOp(
        OpKind.MUL,
        new int[] {input(n, 0), input(n, 1)},
        new int[] {output(s)},
        new OpOptions.Activated(s.fused()));
  }

  private void lowerAdd(FusionPlan.Step s, FusedActivation o) {
    Node n = s.main();
    int acc = input(n, 0);
    int k = n.inputs().size();
    for (int i = 1; i < k; i++) {
      boolean lastAdd = i == k - 1;
      int out =
          lastAdd
              ? output(s)
              : b.addTensor(
                  TensorSpec.activation(
                      n.name() + "/partial" + i, batch1(n.shape()), DType.FLOAT32, null));
      b.addOp(
          OpKind.ADD,
          new int[] {acc, input(n, i)},
          new int[] {out},
          new OpOptions.Activated(lastAdd ? o : FusedActivation.NONE));
      acc = out;
    }
  }

  private void lowerWeighted(FusionPlan.Step s, FusedActivation o) {
    Node n = s.main();
    Layer l = n.layer();
    WeightedOp w = WeightedOp.of(l, n.inputs().get(0).shape());
    float[] weights = w.weights();
    float[] bias = w.bias();
    if (s.bn() != null) {
      BatchNormFold fold = BatchNormFold.of((BatchNormalization) s.bn().layer());
      weights = fold.weights(weights, w.shape(), w.channelDim());
      bias = fold.bias(bias);
    }
    if (bias == null) bias = new float[w.channels()];
    int x = input(n, 0);
    SamePadding sp = w.explicitSame(n.inputs().get(0).shape());
    if (sp != null) {
      x = explicitPad(b, n, x, sp, DType.FLOAT32, null);
      w = w.withPadding("VALID");
    }
    int wt = constF(n.name() + "/weights", w.shape(), weights);
    int bt = constF(n.name() + "/bias", new int[] {w.channels()}, bias);
    int[] ops = w.operands(b, n.name(), batch1(n.shape()), x, wt, bt);
    b.addOp(w.kind(), ops, new int[] {output(s)}, w.options(o));
  }

  /**
   * Emits the PAD of {@code sp} on {@code x} (node {@code n}'s input) into a new tensor named
   * "n/same_pad" with the given type and params (int8 PAD pads with the zero point); returns it, or
   * {@code x} when no padding is needed.
   */
  static int explicitPad(
      LoweredGraphBuilder b, Node n, int x, SamePadding sp, DType type, QuantParams q) {
    if (sp.none()) return x;
    int pads =
        b.addTensor(
            new TensorSpec(
                n.name() + "/same_paddings", new int[] {4, 2}, DType.INT32, null, sp.paddings()));
    int out =
        b.addTensor(
            TensorSpec.activation(
                n.name() + "/same_pad", batch1(sp.padded(n.inputs().get(0).shape())), type, q));
    b.addOp(OpKind.PAD, new int[] {x, pads}, new int[] {out}, null);
    return out;
  }
}
