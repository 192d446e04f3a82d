package org.qat4j.runtime.parity;

import java.util.SplittableRandom;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.*;

/**
 * Small random core models (NHWC, input h×w×c) drawing from every layer Int8Lowering supports:
 * conv/depthwise (+BN, fused or standalone ReLU/ReLU6, strides, SAME/VALID, dilation), Dense,
 * residual Add, Concatenate, max/average pooling, global average pooling (MEAN), zero padding,
 * Flatten (RESHAPE), Softmax, Sigmoid (LOGISTIC), HardSwish, and in one model of four an LSTM or
 * GRU over the rows. Layer names are unique per model.
 */
final class RandomModels {
  private final SplittableRandom r;
  // draws the recurrent tail from its own stream, so the other layers stay those of r alone
  private final SplittableRandom tail;
  private final GraphBuilder b;
  private int next;

  private RandomModels(long seed) {
    this.r = new SplittableRandom(seed);
    this.tail = new SplittableRandom(seed + 1);
    this.b = new GraphBuilder(seed);
  }

  static Model create(long seed, int h, int w, int c) {
    return new RandomModels(seed).build(h, w, c);
  }

  private String name(String kind) {
    return kind + (next++);
  }

  private Model build(int h, int w, int c) {
    Node x = b.input("input", h, w, c);
    int depth = 2 + r.nextInt(4);
    for (int i = 0; i < depth; i++) x = block(x);
    boolean gap = r.nextBoolean();
    if (tail.nextInt(4) == 0) x = recurrent(x);
    else if (gap) x = b.add(new GlobalAveragePooling2D(name("gap")), x);
    else x = b.add(new Flatten(name("flat")), x);
    x =
        b.add(
            new Dense(name("fc"), 3 + r.nextInt(8))
                .activation(r.nextInt(4) == 0 ? Activation.RELU : Activation.NONE),
            x);
    return switch (r.nextInt(3)) {
      case 0 -> b.build(b.add(new Softmax(name("softmax")), x));
      case 1 -> b.build(b.add(new Sigmoid(name("sigmoid")), x));
      default -> b.build(x);
    };
  }

  /**
   * Rows as steps: Reshape [h, w·c] → LSTM or GRU (random units, hard_sigmoid, reset_after, every
   * step's h then Flatten).
   */
  private Node recurrent(Node x) {
    int[] s = x.shape();
    Node seq = b.add(new Reshape(name("steps"), s[0], s[1] * s[2]), x);
    int units = 2 + tail.nextInt(4);
    boolean hard = tail.nextBoolean(), sequences = tail.nextBoolean();
    Layer cell =
        tail.nextBoolean()
            ? new LSTM(name("lstm"), units).hardSigmoid(hard).returnSequences(sequences)
            : new GRU(name("gru"), units)
                .resetAfter(tail.nextBoolean())
                .hardSigmoid(hard)
                .returnSequences(sequences);
    Node y = b.add(cell, seq);
    return sequences ? b.add(new Flatten(name("flat")), y) : y;
  }

  private Node block(Node x) {
    int[] s = x.shape();
    boolean roomy = s[0] >= 4 && s[1] >= 4;
    return switch (r.nextInt(roomy ? 10 : 6)) {
      case 0, 1 -> conv(x, 2 + r.nextInt(6));
      case 2 -> dw(x);
      case 3 -> unary(x);
      case 4 -> residual(x);
      case 5 -> concat(x);
      case 6 -> b.add(new MaxPool2D(name("maxpool"), 2, 2).padding(pad()), x);
      case 7 -> b.add(new AveragePool2D(name("avgpool"), 3, 3).strides(2, 2).padding(pad()), x);
      case 8 ->
          b.add(new ZeroPadding2D(name("pad"), r.nextInt(2), r.nextInt(3), r.nextInt(2), 1), x);
      default -> conv(x, 2 + r.nextInt(4));
    };
  }

  private Padding pad() {
    return r.nextBoolean() ? Padding.SAME : Padding.VALID;
  }

  private Activation act() {
    return Activation.values()[r.nextInt(3)];
  }

  private Node conv(Node x, int filters) {
    int[] s = x.shape();
    int k = s[0] >= 3 && s[1] >= 3 && r.nextBoolean() ? 3 : 1;
    int stride = s[0] >= 6 && r.nextInt(3) == 0 ? 2 : 1;
    // 1×1 at stride 2 stays VALID, conservatively: SAME padding negative in one dimension only can
    // trip TFLite 2.20's XNNPACK (see OpGraphs.negativeSamePad).
    Conv2D c =
        new Conv2D(name("conv"), filters, k, k)
            .strides(stride, stride)
            .padding(k < stride ? Padding.VALID : pad());
    if (!r.nextBoolean()) return b.add(c.activation(act()), x);
    Node y = b.add(c.useBias(false), x);
    return after(b.add(new BatchNormalization(name("bn")), y));
  }

  private Node dw(Node x) {
    int[] s = x.shape();
    int dil = s[0] >= 6 && r.nextInt(4) == 0 ? 2 : 1;
    DepthwiseConv2D d =
        new DepthwiseConv2D(name("dw"), 3, 3)
            .depthMultiplier(1 + r.nextInt(2))
            .dilation(dil, dil)
            .padding(Padding.SAME);
    if (r.nextBoolean()) return b.add(d.activation(act()), x);
    return after(b.add(new BatchNormalization(name("bn")), b.add(d.useBias(false), x)));
  }

  /** Optional standalone ReLU/ReLU6 after a BN-folded conv. */
  private Node after(Node x) {
    return switch (r.nextInt(3)) {
      case 0 -> b.add(new ReLU(name("relu")), x);
      case 1 -> b.add(new ReLU6(name("relu6")), x);
      default -> x;
    };
  }

  private Node unary(Node x) {
    return switch (r.nextInt(9)) {
      case 0 -> b.add(new ReLU(name("relu")), x);
      case 1 -> b.add(new ReLU6(name("relu6")), x);
      case 2 -> b.add(new HardSwish(name("hswish")), x);
      case 3 -> b.add(new Tanh(name("tanh")), x);
      case 4 -> b.add(new LeakyReLU(name("leaky"), (float) (0.05 + 0.5 * r.nextDouble())), x);
      case 5 -> b.add(new ELU(name("elu")), x);
      case 6 -> prelu(x);
      case 7 -> b.add(new Gelu(name("gelu"), r.nextBoolean()), x);
      default -> b.add(new Sigmoid(name("sigmoid")), x);
    };
  }

  /** PReLU with one random slope in [0.05, 0.55) per channel. */
  private Node prelu(Node x) {
    PReLU p = new PReLU(name("prelu"), 1, 2);
    Node y = b.add(p, x);
    for (int i = 0; i < p.alpha().value().size(); i++)
      p.alpha().value().set(i, (float) (0.05 + 0.5 * r.nextDouble()));
    return y;
  }

  /** x joined with conv(x) by Add (then maybe ReLU), Subtract, Maximum, Minimum or Average. */
  private Node residual(Node x) {
    int c = x.shape()[2];
    Node y = b.add(new Conv2D(name("conv"), c, 1, 1).activation(act()), x);
    return switch (r.nextInt(6)) {
      case 0, 1 -> {
        Node a = b.add(new Add(name("add")), x, y);
        yield r.nextBoolean() ? b.add(new ReLU(name("relu")), a) : a;
      }
      case 2 -> b.add(new Subtract(name("sub")), x, y);
      case 3 -> b.add(new Maximum(name("max")), x, y);
      case 4 -> b.add(new Minimum(name("min")), x, y);
      default -> b.add(new Average(name("avg")), x, y);
    };
  }

  private Node concat(Node x) {
    Node a = conv(x, 2 + r.nextInt(3));
    int[] s = a.shape();
    Node other = s[0] == x.shape()[0] && s[1] == x.shape()[1] ? x : conv(x, 2);
    if (other.shape()[0] != s[0] || other.shape()[1] != s[1]) return a;
    return b.add(new Concatenate(name("concat")), a, other);
  }
}
