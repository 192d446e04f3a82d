package org.qat4j.quant.lower;

import java.util.HashMap;
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
import org.qat4j.core.layers.Gelu;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.GlobalMaxPooling2D;
import org.qat4j.core.layers.HardSwish;
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
import org.qat4j.quant.QatModel;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.layers.FakeQuantLayer;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.layers.QuantizedRecurrent;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * Lowers a QAT (or PTQ) model to a full-int8 {@link LoweredGraph} (batch 1, NHWC) the way the
 * TFLite converter treats fake-quant ranges: activation params from the nudged asymmetric ranges
 * (int8 zero point = uint8 zero point − 128), symmetric narrow weights with zero point 0 and one
 * scale per output channel for Conv2D (OHWI, dim 0) and DepthwiseConv2D (1HWC, dim 3), per-tensor
 * for FULLY_CONNECTED [out, in], int32 biases with scale s_in·s_w[c] (C rounding), fused
 * activations, shared params for pooling/reshape/pad, fixed (1/256, −128) for softmax/logistic,
 * requantizing QUANTIZE ops where a Concatenate input has other params. The int8 weights are
 * exactly the fake-quantized (folded) weights the model computes in inference. The rules live in
 * {@link Int8Weighted}, {@link Int8Pools}, {@link Int8Elementwise} and {@link Int8Cells} (LSTM,
 * GRU); this class walks the model and holds the tables.
 */
public final class Int8Lowering {
  final QatModel qat;
  private final Model model;
  private final DType io;
  final LoweredGraphBuilder b;
  private final Map<String, Integer> tensorOf = new HashMap<>();

  private Int8Lowering(QatModel qat, DType io) {
    this.qat = qat;
    this.model = qat.model();
    this.io = io;
    this.b = new LoweredGraphBuilder(model.inputs().get(0).name() + "_int8");
  }

  /**
   * Lowers to a full-int8 graph whose input and output have element type {@code io}: INT8, UINT8 or
   * FLOAT32 (float I/O with QUANTIZE/DEQUANTIZE at the edges).
   *
   * @throws IllegalArgumentException when {@code io} is another type, the scheme is not deployable,
   *     a layer is float or unsupported, or a range is missing (one message listing every problem)
   */
  public static LoweredGraph lower(QatModel qat, DType io) {
    if (io != DType.INT8 && io != DType.UINT8 && io != DType.FLOAT32) {
      throw new IllegalArgumentException(
          "int8 model I/O must be INT8, UINT8 or FLOAT32, got " + io);
    }
    if (qat.scheme().int8Blocker() != null)
      throw new IllegalArgumentException(qat.scheme().int8Blocker());
    return new Int8Lowering(qat, io).run();
  }

  private LoweredGraph run() {
    List<String> bad = Int8Checks.problems(qat);
    if (!bad.isEmpty())
      throw new IllegalArgumentException(
          "cannot lower to TFLite int8:\n  " + String.join("\n  ", bad));
    for (Node n : model.nodes()) lowerNode(n);
    b.setInputs(model.inputs().stream().mapToInt(n -> tensorOf.get(n.name())).toArray());
    b.setOutputs(model.outputs().stream().mapToInt(this::lowerOutput).toArray());
    b.description(
        "qat4j int8 model ("
            + qat.scheme().name()
            + ", "
            + (io == DType.FLOAT32 ? "FLOAT" : io)
            + " I/O)");
    return b.build();
  }

  /** The graph output tensor of {@code out}: its int8 tensor, or a converted copy for other I/O. */
  private int lowerOutput(Node out) {
    int o = tensorOf.get(out.name());
    if (io != DType.INT8) {
      TensorSpec t = b.tensor(o);
      int r =
          io == DType.FLOAT32
              ? b.addTensor(
                  TensorSpec.activation(out.name() + "_float", t.shape(), DType.FLOAT32, null))
              : b.addTensor(
                  TensorSpec.activation(
                      out.name() + "_uint8", t.shape(), DType.UINT8, shifted(t.quant())));
      b.addOp(
          io == DType.FLOAT32 ? OpKind.DEQUANTIZE : OpKind.QUANTIZE,
          new int[] {o},
          new int[] {r},
          null);
      o = r;
    }
    return o;
  }

  static QuantParams shifted(QuantParams q) {
    return QuantParams.perTensor(q.scale(), q.zeroPoint() + 128);
  }

  /** int8 activation params of a quantizer's nudged range. */
  static QuantParams activationParams(FakeQuantizer q) {
    FakeQuant.Nudged g = q.grids()[0];
    if (q.rule().numBits() != 8 || q.rule().narrowRange())
      throw new IllegalArgumentException("quantizer '" + q.name() + "' is not 8-bit full range");
    float scale = g.zero() ? 1f : g.scale();
    return QuantParams.perTensor(scale, g.zeroPoint() - 128L);
  }

  int in(Node n, int i) {
    return tensorOf.get(n.inputs().get(i).name());
  }

  QuantParams paramsOf(int t) {
    return b.tensor(t).quant();
  }

  int act(Node n, QuantParams q) {
    int t =
        b.addTensor(
            TensorSpec.activation(n.name(), FloatLowering.batch1(n.shape()), DType.INT8, q));
    tensorOf.put(n.name(), t);
    return t;
  }

  /** Makes the existing tensor {@code t} node {@code n}'s output, renamed after it. */
  void bind(Node n, int t) {
    TensorSpec s = b.tensor(t);
    b.setTensor(t, new TensorSpec(n.name(), s.shape(), s.type(), s.quant(), null));
    tensorOf.put(n.name(), t);
  }

  int outOwn(Node n) {
    return act(n, activationParams(qat.rangeOf(n.name())));
  }

  private void lowerNode(Node n) {
    Layer l = n.layer();
    if (model.inputs().contains(n)) {
      lowerInput(n);
      return;
    }
    if (l instanceof FakeQuantLayer f) {
      lowerInputQuant(n, f);
      return;
    }
    if (l instanceof ConvBatchNorm c) {
      Int8Weighted.convBn(this, n, c);
      return;
    }
    if (l instanceof QuantizeWrapper w) {
      lowerWrapper(n, w);
      return;
    }
    if (l instanceof QuantizedRecurrent r) {
      Int8Cells.lower(this, n, r);
      return;
    }
    lowerPassThrough(n);
  }

  private void lowerInput(Node n) {
    if (Int8Lookup.isIndexInput(model, n)) {
      tensorOf.put(n.name(), Int8Lookup.indexInput(this, n));
      return;
    }
    int[] shape = FloatLowering.batch1(n.shape());
    DType t = io;
    // Params are attached when the input quantizer is reached (it directly follows the input).
    int x = b.addTensor(TensorSpec.activation(n.name(), shape, t, null));
    tensorOf.put(n.name(), x);
  }

  private void lowerInputQuant(Node n, FakeQuantLayer f) {
    QuantParams q = activationParams(f.quantizer());
    int x = in(n, 0);
    TensorSpec raw = b.tensor(x);
    if (io == DType.INT8) {
      b.setTensor(x, new TensorSpec(raw.name(), raw.shape(), DType.INT8, q, null));
      tensorOf.put(n.name(), x);
      return;
    }
    if (io == DType.UINT8)
      b.setTensor(x, new TensorSpec(raw.name(), raw.shape(), DType.UINT8, shifted(q), null));
    b.addOp(OpKind.QUANTIZE, new int[] {x}, new int[] {act(n, q)}, null);
  }

  /**
   * How a float layer that keeps its input's quantization lowers: its node, the layer as its own
   * type, input tensor {@code x} and its params {@code q}.
   */
  @FunctionalInterface
  private interface PassRule<L extends Layer> {
    void lower(Int8Lowering self, Node n, L layer, int x, QuantParams q);
  }

  /**
   * How a layer inside a {@link QuantizeWrapper} lowers: its node, the wrapper, the layer as its
   * own type and the wrapper's fused post-activation.
   */
  @FunctionalInterface
  private interface WrapRule<L extends Layer> {
    void lower(Int8Lowering self, Node n, QuantizeWrapper w, L inner, FusedActivation post);
  }

  /** A table row: a layer class and its rule, applied to a layer of exactly that class. */
  private record Row<L extends Layer, R>(Class<L> type, R rule) {
    L cast(Layer l) {
      return type.cast(l);
    }
  }

  private static <L extends Layer> Map.Entry<Class<?>, Row<?, ?>> pass(
      Class<L> type, PassRule<L> rule) {
    return Map.entry(type, new Row<>(type, rule));
  }

  private static <L extends Layer> Map.Entry<Class<?>, Row<?, ?>> wrap(
      Class<L> type, WrapRule<L> rule) {
    return Map.entry(type, new Row<>(type, rule));
  }

  /**
   * The only list of pass-through layer classes (Int8Checks accepts exactly these unquantized). A
   * layer class in neither table fails LayerConformanceTest's int8 path, naming the layer.
   */
  private static final Map<Class<?>, Row<?, ?>> PASS_THROUGH =
      Map.ofEntries(
          pass(Dropout.class, (self, n, l, x, q) -> self.tensorOf.put(n.name(), x)),
          pass(MaxPool2D.class, Int8Pools::maxPool),
          pass(Flatten.class, (self, n, l, x, q) -> Int8Pools.reshape(self, n, x, q)),
          pass(Reshape.class, (self, n, l, x, q) -> Int8Pools.reshape(self, n, x, q)),
          pass(ZeroPadding2D.class, Int8Pools::pad),
          pass(GlobalMaxPooling2D.class, (self, n, l, x, q) -> Int8Pools.globalMax(self, n, x, q)),
          pass(SpatialDropout1D.class, (self, n, l, x, q) -> self.tensorOf.put(n.name(), x)),
          pass(
              UpSampling2D.class,
              (self, n, l, x, q) -> Resampling.upSample(self.b, n, l, x, self.act(n, q))),
          pass(
              Permute.class,
              (self, n, l, x, q) -> Resampling.permute(self.b, n, l, x, self.act(n, q))),
          pass(
              Cropping2D.class,
              (self, n, l, x, q) -> Resampling.crop(self.b, n, l, x, self.act(n, q))),
          pass(
              Resizing.class,
              (self, n, l, x, q) -> Resampling.resize(self.b, n, l, x, self.act(n, q))));

  /** How each layer class inside a {@link QuantizeWrapper} lowers. */
  private static final Map<Class<?>, Row<?, ?>> WRAPPED =
      Map.ofEntries(
          wrap(Conv2D.class, Int8Weighted::wrapped),
          wrap(DepthwiseConv2D.class, Int8Weighted::wrapped),
          wrap(Dense.class, Int8Weighted::wrapped),
          wrap(Add.class, (self, n, w, l, post) -> Int8Elementwise.add(self, n, post)),
          wrap(Multiply.class, (self, n, w, l, post) -> Int8Elementwise.multiply(self, n, post)),
          wrap(Concatenate.class, (self, n, w, l, post) -> Int8Elementwise.concat(self, n, post)),
          wrap(AveragePool2D.class, (self, n, w, p, post) -> Int8Pools.averagePool(self, n, p)),
          wrap(
              GlobalAveragePooling2D.class,
              (self, n, w, l, post) -> Int8Pools.globalAverage(self, n)),
          wrap(ReLU.class, (self, n, w, l, post) -> self.unary(n, OpKind.RELU)),
          wrap(ReLU6.class, (self, n, w, l, post) -> self.unary(n, OpKind.RELU6)),
          wrap(HardSwish.class, (self, n, w, l, post) -> self.unary(n, OpKind.HARD_SWISH)),
          wrap(Softmax.class, (self, n, w, l, post) -> self.probabilities(n, OpKind.SOFTMAX)),
          wrap(Sigmoid.class, (self, n, w, l, post) -> self.probabilities(n, OpKind.LOGISTIC)),
          wrap(Subtract.class, (self, n, w, l, post) -> Int8Elementwise.subtract(self, n, post)),
          wrap(
              Maximum.class,
              (self, n, w, l, post) -> Int8Elementwise.shared(self, n, OpKind.MAXIMUM)),
          wrap(
              Minimum.class,
              (self, n, w, l, post) -> Int8Elementwise.shared(self, n, OpKind.MINIMUM)),
          wrap(Average.class, (self, n, w, l, post) -> Int8Elementwise.average(self, n)),
          wrap(LeakyReLU.class, (self, n, w, l, post) -> Int8Elementwise.leaky(self, n, l)),
          wrap(PReLU.class, (self, n, w, l, post) -> Int8Elementwise.prelu(self, n, w)),
          wrap(Tanh.class, (self, n, w, l, post) -> self.unary(n, OpKind.TANH)),
          wrap(ELU.class, (self, n, w, l, post) -> self.unary(n, OpKind.ELU)),
          wrap(
              BatchNormalization.class,
              (self, n, w, l, post) -> Int8Elementwise.batchNorm(self, n, l)),
          wrap(Conv2DTranspose.class, Int8Weighted::wrapped),
          wrap(Rescaling.class, (self, n, w, l, post) -> Int8Elementwise.rescaling(self, n, l)),
          wrap(
              Normalization.class,
              (self, n, w, l, post) -> Int8Elementwise.affine(self, n, l.multiplier(), l.shift())),
          wrap(Embedding.class, (self, n, w, l, post) -> Int8Lookup.embedding(self, n, w, l)),
          wrap(Gelu.class, (self, n, w, l, post) -> Int8Elementwise.gelu(self, n, l)));

  /** Whether {@code l} lowers without quantizers of its own (it keeps its input's params). */
  static boolean passesThrough(Layer l) {
    return PASS_THROUGH.containsKey(l.getClass());
  }

  @SuppressWarnings("unchecked")
  private void lowerPassThrough(Node n) {
    Layer l = n.layer();
    Row<?, ?> r = PASS_THROUGH.get(l.getClass());
    if (r == null)
      throw new IllegalArgumentException(
          "layer '" + n.name() + "' (" + l.type() + ") is not quantized");
    int x = in(n, 0);
    ((PassRule<Layer>) r.rule()).lower(this, n, r.cast(l), x, paramsOf(x));
  }

  @SuppressWarnings("unchecked")
  private void lowerWrapper(Node n, QuantizeWrapper w) {
    Layer inner = w.inner();
    Row<?, ?> r = WRAPPED.get(inner.getClass());
    if (r == null)
      throw new IllegalArgumentException(
          "layer '" + n.name() + "' (" + inner.type() + ") has no int8 lowering");
    FusedActivation post = FusionPlan.fused(w.postActivation());
    ((WrapRule<Layer>) r.rule()).lower(this, n, w, r.cast(inner), post);
  }

  void unary(Node n, OpKind k) {
    b.addOp(k, new int[] {in(n, 0)}, new int[] {outOwn(n)}, null);
  }

  /** SOFTMAX or LOGISTIC: output params fixed at (1/256, −128). */
  private void probabilities(Node n, OpKind k) {
    QuantParams q = QuantParams.perTensor(1f / 256f, -128);
    b.addOp(
        k,
        new int[] {in(n, 0)},
        new int[] {act(n, q)},
        k == OpKind.SOFTMAX ? new OpOptions.Softmax(1f) : null);
  }

  /**
   * {@code t} itself when it already has params {@code q}, else a QUANTIZE (int8→int8) into a new
   * tensor.
   */
  int requantized(int t, QuantParams q, String name) {
    if (q.equals(paramsOf(t))) return t;
    int r = b.addTensor(TensorSpec.activation(name, b.tensor(t).shape(), DType.INT8, q));
    b.addOp(OpKind.QUANTIZE, new int[] {t}, new int[] {r}, null);
    return r;
  }
}
