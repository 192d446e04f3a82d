package org.qat4j.core.zoo;

import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Softmax;

/**
 * MobileNetV2 (Sandler et al. 2018) on NHWC [N, r, r, 3] images: a strided 3×3 convolution, 17
 * inverted-residual blocks (1×1 expansion ×6 → BN → ReLU6 → 3×3 depthwise → BN → ReLU6 → linear 1×1
 * projection → BN, plus an Add when stride is 1 and channels match), a 1×1 convolution to 1280
 * channels, global average pooling and a Dense classifier producing logits (Softmax layer on
 * request). Channel rounding and layer names follow Keras ({@code block_3_expand}, {@code
 * block_3_add}, …); stride-2 depthwise convolutions use SAME padding, arithmetically identical to
 * Keras's {@code correct_pad}. Defaults: alpha 1.0, 224×224×3, 1000 classes, logits (3,538,984
 * parameters).
 */
public final class MobileNetV2 extends ZooBuilder<MobileNetV2> {
  /** Expansion t, output channels c, repeats n, first stride s (the paper's Table 2). */
  private static final int[][] STAGES = {
    {1, 16, 1, 1},
    {6, 24, 2, 2},
    {6, 32, 3, 2},
    {6, 64, 4, 2},
    {6, 96, 3, 1},
    {6, 160, 3, 2},
    {6, 320, 1, 1}
  };

  private static final float BN_MOMENTUM = 0.999f;

  private float alpha = 1f;

  /** A builder with the defaults: alpha 1.0, 224×224×3, 1000 classes, logits. */
  public MobileNetV2() {
    super("MobileNetV2");
  }

  @Override
  MobileNetV2 self() {
    return this;
  }

  /** Width multiplier (e.g. 0.35, 0.5, 0.75, 1.0, 1.3, 1.4); channels rounded to multiples of 8. */
  public MobileNetV2 alpha(float a) {
    alpha = checkedAlpha(a);
    return this;
  }

  /** Builds the model with weights drawn from {@code seed}. */
  public Model build(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node x = g.input("input", resolution, resolution, channels);
    x =
        g.add(
            new Conv2D("Conv1", ZooArgs.makeDivisible(32 * alpha, 8), 3, 3)
                .strides(2, 2)
                .padding(Padding.SAME)
                .useBias(false),
            x);
    x = g.add(bn("bn_Conv1"), x);
    x = g.add(new ReLU6("Conv1_relu"), x);
    int id = 0;
    for (int[] s : STAGES) {
      int out = ZooArgs.makeDivisible((int) (s[1] * alpha), 8);
      for (int i = 0; i < s[2]; i++) x = invertedResidual(g, x, id++, s[0], out, i == 0 ? s[3] : 1);
    }
    int last = alpha > 1f ? ZooArgs.makeDivisible(1280 * alpha, 8) : 1280;
    x = g.add(new Conv2D("Conv_1", last, 1, 1).useBias(false), x);
    x = g.add(bn("Conv_1_bn"), x);
    x = g.add(new ReLU6("out_relu"), x);
    x = g.add(new GlobalAveragePooling2D("global_average_pooling"), x);
    x = g.add(new Dense("logits", classes), x);
    if (softmax) x = g.add(new Softmax("predictions"), x);
    return g.build(x);
  }

  private static Node invertedResidual(
      GraphBuilder g, Node in, int id, int expansion, int out, int stride) {
    String p = id == 0 ? "expanded_conv_" : "block_" + id + "_";
    int c = in.shape()[2];
    Node x = in;
    if (expansion != 1) {
      x = g.add(new Conv2D(p + "expand", expansion * c, 1, 1).useBias(false), x);
      x = g.add(bn(p + "expand_BN"), x);
      x = g.add(new ReLU6(p + "expand_relu"), x);
    }
    x =
        g.add(
            new DepthwiseConv2D(p + "depthwise", 3, 3)
                .strides(stride, stride)
                .padding(Padding.SAME)
                .useBias(false),
            x);
    x = g.add(bn(p + "depthwise_BN"), x);
    x = g.add(new ReLU6(p + "depthwise_relu"), x);
    x = g.add(new Conv2D(p + "project", out, 1, 1).useBias(false), x);
    x = g.add(bn(p + "project_BN"), x);
    return stride == 1 && c == out ? g.add(new Add(p + "add"), in, x) : x;
  }

  private static BatchNormalization bn(String name) {
    return new BatchNormalization(name).momentum(BN_MOMENTUM);
  }
}
