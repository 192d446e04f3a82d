package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.*;
import org.qat4j.ir.DType;
import org.qat4j.ir.LoweredGraph;
import org.qat4j.ir.OpKind;
import org.qat4j.ir.OpSpec;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.quant.raise.TfliteImporter;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;

/**
 * Conformance of every registered layer type ({@link LayerRegistry#types()}): a gradient check of
 * the layer, then a small model using it through float lowering, the writer, TFLite BUILTIN against
 * Model.predict, the import round trip, QAT, int8 lowering with the simulator bit-exact against
 * BUILTIN, and an Edge TPU rule for every operator written. A type without a row in {@link #ROWS}
 * fails. {@link OpConformanceTest} checks that these models reach every operator.
 */
@Tag("native")
class LayerConformanceTest {
  /**
   * One layer type: the layer for the gradient check with its per-sample input shapes (null: no
   * gradient of its own, with the reason in {@code why}), and the float and QAT models using it.
   */
  record Row(
      Supplier<Layer> layer,
      int[][] inputs,
      String why,
      Supplier<Model> floatModel,
      Supplier<Model> qatModel) {}

  private static final int[] IMAGE = {6, 6, 2};
  private static final int VOCAB = 10;

  static final Map<String, Row> ROWS =
      Map.ofEntries(
          Map.entry(
              "Input",
              new Row(
                  null, null, "no computation", () -> after(() -> null), () -> after(() -> null))),
          unary("ReLU", () -> new ReLU("l")),
          unary("ReLU6", () -> new ReLU6("l")),
          unary("HardSwish", () -> new HardSwish("l")),
          unary("Sigmoid", () -> new Sigmoid("l")),
          unary("Softmax", () -> new Softmax("l")),
          unary(
              "Conv2D",
              () ->
                  new Conv2D("l", 3, 3, 3)
                      .strides(2, 1)
                      .padding(Padding.SAME)
                      .activation(Activation.RELU6)),
          unary("DepthwiseConv2D", () -> new DepthwiseConv2D("l", 3, 3).depthMultiplier(2)),
          unary("MaxPool2D", () -> new MaxPool2D("l", 2, 2)),
          unary(
              "AveragePool2D",
              () -> new AveragePool2D("l", 3, 3).strides(2, 2).padding(Padding.SAME)),
          unary("GlobalAveragePooling2D", () -> new GlobalAveragePooling2D("l")),
          unary("GlobalMaxPooling2D", () -> new GlobalMaxPooling2D("l")),
          unary("Flatten", () -> new Flatten("l")),
          unary("Reshape", () -> new Reshape("l", 36, 2)),
          unary("ZeroPadding2D", () -> new ZeroPadding2D("l", 1, 0, 2, 1)),
          Map.entry(
              "Dense",
              new Row(
                  () -> new Dense("l", 4).activation(Activation.RELU),
                  new int[][] {{8}},
                  null,
                  () -> flatThen(new Dense("l", 4)),
                  () -> flatThen(new Dense("l", 4)))),
          Map.entry(
              "Add",
              new Row(
                  () -> new Add("l"),
                  new int[][] {IMAGE, IMAGE},
                  null,
                  () -> twoBranches(new Add("l")),
                  () -> twoBranches(new Add("l")))),
          Map.entry(
              "Multiply",
              new Row(
                  () -> new Multiply("l"),
                  new int[][] {IMAGE, IMAGE},
                  null,
                  () -> twoBranches(new Multiply("l")),
                  () -> twoBranches(new Multiply("l")))),
          Map.entry(
              "Concatenate",
              new Row(
                  () -> new Concatenate("l"),
                  new int[][] {IMAGE, IMAGE},
                  null,
                  () -> twoBranches(new Concatenate("l")),
                  () -> twoBranches(new Concatenate("l")))),
          // after an activation a BN cannot fold: float lowering writes it as MUL + ADD; QAT folds
          // it into the conv
          Map.entry(
              "BatchNormalization",
              new Row(
                  () -> new BatchNormalization("l"),
                  new int[][] {IMAGE},
                  null,
                  () -> after(() -> new BatchNormalization("l")),
                  LayerConformanceTest::convBn)),
          Map.entry(
              "Dropout",
              new Row(
                  null,
                  null,
                  "random mask in training (checked in core's StructureLayersTest)",
                  () -> after(() -> new Dropout("l", 0.3f)),
                  () -> after(() -> new Dropout("l", 0.3f)))),
          merge("Subtract", () -> new Subtract("l")),
          merge("Maximum", () -> new Maximum("l")),
          merge("Minimum", () -> new Minimum("l")),
          Map.entry(
              "Average",
              new Row(
                  () -> new Average("l"),
                  new int[][] {IMAGE, IMAGE, IMAGE},
                  null,
                  () -> twoBranches(new Average("l")),
                  LayerConformanceTest::threeBranchAverage)),
          signed("LeakyReLU", () -> new LeakyReLU("l", 0.2f)),
          signed("PReLU", () -> new PReLU("l", 1, 2)),
          signed("Tanh", () -> new Tanh("l")),
          signed("ELU", () -> new ELU("l")),
          Map.entry(
              "SpatialDropout1D",
              new Row(
                  null,
                  null,
                  "random channel mask in training (checked in core's SequenceLayersTest)",
                  () -> sequence(new SpatialDropout1D("l", 0.3f)),
                  () -> sequence(new SpatialDropout1D("l", 0.3f)))),
          Map.entry(
              "Embedding",
              new Row(
                  null,
                  null,
                  "integer indices: the table's gradient is checked in core's SequenceLayersTest",
                  () -> tokens(new Embedding("l", VOCAB, 3)),
                  () -> tokens(new Embedding("l", VOCAB, 3)))),
          Map.entry(
              "LSTM",
              new Row(
                  () -> new LSTM("l", 3).returnSequences(true),
                  new int[][] {{4, 5}},
                  null,
                  () ->
                      sequence(
                          new LSTM("l", 3).returnSequences(true),
                          new LSTM("l2", 2).hardSigmoid(true)),
                  () -> sequence(new LSTM("l", 3)))),
          Map.entry(
              "GRU",
              new Row(
                  () -> new GRU("l", 3).returnSequences(true),
                  new int[][] {{4, 5}},
                  null,
                  () ->
                      sequence(
                          new GRU("l", 3).returnSequences(true),
                          new GRU("l2", 2).resetAfter(false).hardSigmoid(true)),
                  () -> sequence(new GRU("l", 3)))),
          unary(
              "Conv2DTranspose",
              () -> new Conv2DTranspose("l", 3, 3, 2).strides(2, 2).padding(Padding.SAME)),
          Map.entry(
              "UpSampling2D",
              new Row(
                  () -> new UpSampling2D("l", 2, 3, true),
                  new int[][] {IMAGE},
                  null,
                  LayerConformanceTest::upsampled,
                  LayerConformanceTest::upsampled)),
          unary("Permute", () -> new Permute("l", 2, 3, 1)));

  /**
   * Layer types lowered to float only, with why: their QAT must refuse naming the layer, and the
   * float import (which raises no unrolled recurrence and no GATHER) must refuse their file.
   */
  static final Map<String, String> FLOAT_ONLY =
      Map.of(
          "Embedding", "float only",
          "LSTM", "float only",
          "GRU", "float only");

  /** input → conv (ReLU) → Reshape to a sequence [6, 12] → the layers in order. */
  private static Model sequence(Layer... layers) {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), b.input("input", IMAGE));
    Node x = b.add(new Reshape("seq", 6, 12), c);
    for (Layer l : layers) x = b.add(l, x);
    return b.build(x);
  }

  /** token indices [5] → the layer. */
  private static Model tokens(Layer l) {
    GraphBuilder b = new GraphBuilder(3);
    return b.build(b.add(l, b.input("input", 5)));
  }

  /** Images for image models, integer token indices in [0, VOCAB) for the others. */
  private static Tensor modelInput(Model m, long seed, int n) {
    if (Arrays.equals(m.inputShape(), IMAGE)) return images(seed, n);
    Tensor t = Tensor.zeros(Shapes.withBatch(n, m.inputShape()));
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < t.size(); i++) t.set(i, r.nextInt(VOCAB));
    return t;
  }

  private static Map.Entry<String, Row> unary(String type, Supplier<Layer> l) {
    return Map.entry(type, new Row(l, new int[][] {IMAGE}, null, () -> after(l), () -> after(l)));
  }

  private static Map.Entry<String, Row> merge(String type, Supplier<Layer> l) {
    return Map.entry(
        type,
        new Row(
            l,
            new int[][] {IMAGE, IMAGE},
            null,
            () -> twoBranches(l.get()),
            () -> twoBranches(l.get())));
  }

  /** A unary layer fed by a conv without activation, so its input has both signs. */
  private static Map.Entry<String, Row> signed(String type, Supplier<Layer> l) {
    return Map.entry(type, new Row(l, new int[][] {IMAGE}, null, () -> linear(l), () -> linear(l)));
  }

  /**
   * input → conv (no activation) → the layer; trainable parameters of the layer (PReLU's alpha) set
   * to distinct values in [0.05, 0.5) so they matter.
   */
  private static Model linear(Supplier<Layer> layer) {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1), b.input("input", IMAGE));
    Layer l = layer.get();
    Model m = b.build(b.add(l, c));
    SplittableRandom r = new SplittableRandom(5);
    for (var p : l.params())
      for (int i = 0; i < p.value().size(); i++)
        p.value().set(i, (float) (0.05 + 0.45 * r.nextDouble()));
    return m;
  }

  /**
   * input → conv (ReLU) → the layer (none when {@code layer} gives null), so no layer under test
   * reads the input.
   */
  private static Model after(Supplier<Layer> layer) {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), b.input("input", IMAGE));
    Layer l = layer.get();
    return b.build(l == null ? c : b.add(l, c));
  }

  /** input → conv (ReLU) → nearest ×2 rows → bilinear ×2 columns. */
  private static Model upsampled() {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), b.input("input", IMAGE));
    Node n = b.add(new UpSampling2D("l", 2, 1, false), c);
    return b.build(b.add(new UpSampling2D("l2", 1, 2, true), n));
  }

  private static Model flatThen(Layer l) {
    GraphBuilder b = new GraphBuilder(3);
    Node f = b.add(new Flatten("f"), b.add(new Conv2D("c", 2, 2, 2), b.input("input", IMAGE)));
    return b.build(b.add(l, f));
  }

  private static Model twoBranches(Layer join) {
    GraphBuilder b = new GraphBuilder(3);
    Node x = b.input("input", IMAGE);
    return b.build(
        b.add(
            join,
            b.add(new Conv2D("a", 2, 1, 1), x),
            b.add(new Conv2D("b", 2, 3, 3).padding(Padding.SAME), x)));
  }

  /** Three branches averaged: int8 chains two ADDs before the MUL by 1/3. */
  private static Model threeBranchAverage() {
    GraphBuilder b = new GraphBuilder(3);
    Node x = b.input("input", IMAGE);
    return b.build(
        b.add(
            new Average("l"),
            b.add(new Conv2D("a", 2, 1, 1), x),
            b.add(new Conv2D("b", 2, 3, 3).padding(Padding.SAME), x),
            b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), x)));
  }

  /**
   * conv → BN (folded) → ReLU → BN (no conv to fold into: MUL and ADD by constants, with moving
   * statistics and affine parameters set so the constants differ per channel).
   */
  private static Model convBn() {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 3, 3, 3), b.input("input", IMAGE));
    Node r = b.add(new ReLU("r"), b.add(new BatchNormalization("l"), c));
    BatchNormalization alone = new BatchNormalization("alone");
    Model m = b.build(b.add(alone, r));
    for (int i = 0; i < 3; i++) {
      alone.gamma().value().set(i, 0.5f + 0.4f * i);
      alone.beta().value().set(i, 0.3f - 0.25f * i);
      alone.movingMean().value().set(i, 0.1f * i);
      alone.movingVariance().value().set(i, 0.6f + 0.5f * i);
    }
    return m;
  }

  static Stream<String> types() {
    return LayerRegistry.types().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("types")
  void everyLayerTypeHasARowAndPassesEveryPath(String type) {
    Row row = ROWS.get(type);
    assertNotNull(
        row,
        "layer type " + type + " has no conformance row: add one (gradient, float and QAT models)");
    if (row.layer() != null) gradient(type, row);
    else assertFalse(row.why().isEmpty(), type + ": a row without a gradient check says why");
    Model f = row.floatModel().get();
    assertTrue(uses(f, type), type + ": the float model does not use the layer");
    floatPath(type, f);
    Model q = row.qatModel().get();
    assertTrue(uses(q, type), type + ": the QAT model does not use the layer");
    int8Path(type, q);
  }

  private static boolean uses(Model m, String type) {
    return m.nodes().stream().anyMatch(n -> n.layer().type().equals(type));
  }

  private static void gradient(String type, Row row) {
    Layer l = row.layer().get();
    Tensor[] in = new Tensor[row.inputs().length];
    for (int i = 0; i < in.length; i++)
      in[i] = spaced(40 + i, 0.02f * i, Shapes.withBatch(2, row.inputs()[i]));
    l.outputShape(row.inputs());
    l.build(row.inputs(), new SplittableRandom(11));
    GradientCheck.Result r = GradientCheck.check(l, in, 1e-2, 60, 5);
    assertTrue(r.maxRelError() < 2e-2, type + " gradient check: " + r);
  }

  /**
   * Distinct values at least 0.05 apart and 0.1 away from 0 (no kinks or ties within the
   * finite-difference step); input i's magnitudes are shifted by {@code shift} = 0.02·i, so two
   * inputs never tie either (Maximum, Minimum).
   */
  private static Tensor spaced(long seed, float shift, int... shape) {
    Tensor t = Tensor.zeros(shape);
    SplittableRandom r = new SplittableRandom(seed);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) order.add(i);
    java.util.Collections.shuffle(order, new java.util.Random(seed));
    for (int i = 0; i < t.size(); i++)
      t.set(order.get(i), (float) ((0.1 + shift + 0.05 * (i % 50)) * (r.nextBoolean() ? 1 : -1)));
    return t;
  }

  private static Tensor images(long seed, int n) {
    return GradientCheck.random(new SplittableRandom(seed), Shapes.withBatch(n, IMAGE));
  }

  /**
   * Float lowering → writer → TFLite BUILTIN equals Model.predict; the import lowers to the same
   * operators.
   */
  private static void floatPath(String type, Model m) {
    LoweredGraph g = FloatLowering.lower(m);
    byte[] bytes = TfliteWriter.write(g);
    Tensor x = modelInput(m, 1, 1);
    float[] want = m.predict(x).toArray();
    try (TfliteModel tm = TfliteModel.fromBytes(bytes);
        Interpreter it = Parity.open(tm, Backend.BUILTIN)) {
      float[] got = (float[]) Parity.invoke(it, new Object[] {x.toArray()}, 0);
      double rel = FloatRoundTripTest.maxRelative(got, want, want.length);
      assertTrue(rel <= 1e-5, type + ": TFLite vs Model.predict relative error " + rel);
    }
    if (FLOAT_ONLY.containsKey(type)) {
      var e = assertThrows(RuntimeException.class, () -> TfliteImporter.toModel(bytes));
      assertTrue(e.getMessage().contains("cannot import"), type + ": " + e.getMessage());
      return;
    }
    Model back = TfliteImporter.toModel(bytes);
    assertEquals(kinds(g), kinds(FloatLowering.lower(back)), type + ": import round trip");
  }

  /**
   * QAT → calibration → int8 lowering: TFLite BUILTIN equals the simulator bit for bit; every op
   * has an Edge TPU rule.
   */
  private static void int8Path(String type, Model m) {
    if (FLOAT_ONLY.containsKey(type)) {
      var e = assertThrows(IllegalArgumentException.class, () -> Quantize.model(m));
      assertTrue(
          e.getMessage().contains("(" + type + ")")
              && e.getMessage().contains(FLOAT_ONLY.get(type)),
          type + ": " + e.getMessage());
      return;
    }
    QatModel q = Quantize.model(m);
    q.calibrate(List.of(images(2, 4), images(3, 4)));
    LoweredGraph g = Int8Lowering.lower(q, DType.FLOAT32);
    Parity.assertExact(
        Parity.compare(g, 2, new SplittableRandom(4), -1f, 1f)[0],
        type + ": int8 TFLite BUILTIN vs simulator");
    for (var o : EdgeTpuPreflight.check(TfliteReader.read(TfliteWriter.write(g))).operators()) {
      assertFalse(o.reason().contains("not in the Edge TPU supported-ops table"), type + ": " + o);
    }
  }

  private static List<OpKind> kinds(LoweredGraph g) {
    return g.ops().stream().map(OpSpec::kind).toList();
  }

  /** Operators the float lowering of the rows' models writes. */
  static Set<OpKind> floatOps() {
    return collect(Set.of(), r -> FloatLowering.lower(r.floatModel().get()));
  }

  /**
   * Operators the int8 lowering of the rows' QAT models writes (float I/O, so QUANTIZE and
   * DEQUANTIZE too).
   */
  static Set<OpKind> int8Ops() {
    return collect(
        FLOAT_ONLY.keySet(),
        r -> {
          QatModel q = Quantize.model(r.qatModel().get());
          q.calibrate(List.of(images(2, 4)));
          return Int8Lowering.lower(q, DType.FLOAT32);
        });
  }

  /** Operators that survive write → import → float lowering of the rows' float models. */
  static Set<OpKind> importedOps() {
    return collect(
        FLOAT_ONLY.keySet(),
        r ->
            FloatLowering.lower(
                TfliteImporter.toModel(
                    TfliteWriter.write(FloatLowering.lower(r.floatModel().get())))));
  }

  private static Set<OpKind> collect(Set<String> skip, Function<Row, LoweredGraph> lower) {
    Set<OpKind> s = EnumSet.noneOf(OpKind.class);
    for (var e : ROWS.entrySet())
      if (!skip.contains(e.getKey())) s.addAll(kinds(lower.apply(e.getValue())));
    return s;
  }
}
