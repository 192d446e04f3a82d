package org.qat4j.runtime.parity;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.*;

/**
 * The rows of {@link LayerConformanceTest}: per registered layer type, the layer for its gradient
 * check and the small float and QAT models that use it (NHWC images of {@link #IMAGE}, or token
 * indices below {@link #VOCAB}).
 */
final class LayerRows {
  private LayerRows() {}

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

  static final int[] IMAGE = {6, 6, 2};
  static final int VOCAB = 10;

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
                  LayerRows::convBn)),
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
                  LayerRows::threeBranchAverage)),
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
                  "integer indices: the table's gradient is checked in core's SequenceLayersTest"
                      + " and quant's QatEmbeddingTest",
                  () -> tokens(new Embedding("l", VOCAB, 3)),
                  LayerRows::embeddingClassifier)),
          Map.entry(
              "LSTM",
              new Row(
                  () -> new LSTM("l", 3).returnSequences(true),
                  new int[][] {{4, 5}},
                  null,
                  LayerRows::lstms,
                  LayerRows::lstms)),
          Map.entry(
              "GRU",
              new Row(
                  () -> new GRU("l", 3).returnSequences(true),
                  new int[][] {{4, 5}},
                  null,
                  LayerRows::grus,
                  LayerRows::grus)),
          unary(
              "Conv2DTranspose",
              () -> new Conv2DTranspose("l", 3, 3, 2).strides(2, 2).padding(Padding.SAME)),
          Map.entry(
              "UpSampling2D",
              new Row(
                  () -> new UpSampling2D("l", 2, 3, true),
                  new int[][] {IMAGE},
                  null,
                  LayerRows::upsampled,
                  LayerRows::upsampled)),
          unary("Permute", () -> new Permute("l", 2, 3, 1)),
          unary("Cropping2D", () -> new Cropping2D("l", 1, 0, 2, 1)),
          Map.entry(
              "Rescaling",
              new Row(
                  () -> new Rescaling("l", new float[] {-0.5f, 1.5f}, new float[] {0.25f}),
                  new int[][] {IMAGE},
                  null,
                  LayerRows::rescaled,
                  LayerRows::rescaled)),
          unary(
              "Normalization",
              () -> new Normalization("l", new float[] {0.2f, -0.1f}, new float[] {0.5f, 2f})),
          Map.entry(
              "Resizing",
              new Row(
                  () -> new Resizing("l", 4, 9, true),
                  new int[][] {IMAGE},
                  null,
                  LayerRows::resized,
                  LayerRows::resized)),
          signed("Gelu", () -> new Gelu("l", false)));

  /**
   * Layer types lowered to float only, with why: their QAT must refuse naming the layer, and the
   * float import must refuse their file (none today: every row quantizes).
   */
  static final Map<String, String> FLOAT_ONLY = Map.of();

  /**
   * Layer types whose float lowering the float import does not raise back (GATHER; an unrolled
   * recurrence): it must refuse their file. Their QAT and int8 paths run like every other row's.
   */
  static final Set<String> NOT_IMPORTED = Set.of("Embedding", "LSTM", "GRU");

  /** Whether the float import must take the type's float model back. */
  static boolean imports(String type) {
    return !FLOAT_ONLY.containsKey(type) && !NOT_IMPORTED.contains(type);
  }

  /** input → conv (ReLU) → Reshape to a sequence [6, 12] → the layers in order. */
  private static Model sequence(Layer... layers) {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), b.input("input", IMAGE));
    Node x = b.add(new Reshape("seq", 6, 12), c);
    for (Layer l : layers) x = b.add(l, x);
    return b.build(x);
  }

  /** LSTM (sigmoid, every step's h) → LSTM (hard_sigmoid, last h): PACK and MINIMUM too. */
  private static Model lstms() {
    return sequence(new LSTM("l", 3).returnSequences(true), new LSTM("l2", 2).hardSigmoid(true));
  }

  /** GRU (reset_after, sequences) → GRU (Keras 2's reset_after false, hard_sigmoid). */
  private static Model grus() {
    return sequence(
        new GRU("l", 3).returnSequences(true),
        new GRU("l2", 2).resetAfter(false).hardSigmoid(true));
  }

  /** token indices [5] → the layer. */
  private static Model tokens(Layer l) {
    GraphBuilder b = new GraphBuilder(3);
    return b.build(b.add(l, b.input("input", 5)));
  }

  /**
   * token indices [5] → Embedding → SpatialDropout1D → Flatten → Dense: the int8 GATHER of an INT32
   * index input feeding a FULLY_CONNECTED at the table's params.
   */
  private static Model embeddingClassifier() {
    GraphBuilder b = new GraphBuilder(3);
    Node e = b.add(new Embedding("l", VOCAB, 3), b.input("input", 5));
    Node f = b.add(new Flatten("f"), b.add(new SpatialDropout1D("drop", 0.3f), e));
    return b.build(b.add(new Dense("d", 4), f));
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

  /**
   * input → conv (ReLU) → Rescaling without offset (MUL only) → Rescaling with one (+ ADD) → one
   * with per-channel scale and offset (Keras 3 lists).
   */
  private static Model rescaled() {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), b.input("input", IMAGE));
    Node n = b.add(new Rescaling("l", 1f / 6f, 0f), c);
    Node m = b.add(new Rescaling("l2", -2f, 1f), n);
    return b.build(
        b.add(new Rescaling("l3", new float[] {-2f, 0.5f}, new float[] {1f, -0.25f}), m));
  }

  /** input → conv (ReLU) → nearest to 4×9 → bilinear to 5×3 (down and up, not whole factors). */
  private static Model resized() {
    GraphBuilder b = new GraphBuilder(3);
    Node c = b.add(new Conv2D("c", 2, 1, 1).activation(Activation.RELU), b.input("input", IMAGE));
    Node n = b.add(new Resizing("l", 4, 9, false), c);
    return b.build(b.add(new Resizing("l2", 5, 3, true), n));
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
}
