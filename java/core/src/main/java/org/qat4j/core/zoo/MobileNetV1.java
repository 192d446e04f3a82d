package org.qat4j.core.zoo;

import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Softmax;

/**
 * MobileNetV1 (Howard et al. 2017) on NHWC [N, r, r, 3] images: a strided 3×3 convolution then 13
 * depthwise-separable blocks (3×3 depthwise → BN → ReLU6 → 1×1 pointwise → BN → ReLU6), global
 * average pooling and a Dense classifier producing logits (plus a Softmax layer when asked). Layer
 * names follow Keras ({@code conv1}, {@code conv_dw_1}, {@code conv_pw_1_bn}, …); stride-2
 * convolutions use SAME padding, which pads exactly like Keras's explicit ((0, 1), (0, 1)) zero
 * padding on even sizes. Defaults: alpha 1.0, 224×224×3, 1000 classes, logits (4,253,864
 * parameters).
 */
public final class MobileNetV1 extends ZooBuilder<MobileNetV1> {
  /**
   * Pointwise filters and depthwise stride of the 13 separable blocks, before the width multiplier.
   */
  private static final int[][] BLOCKS = {
    {64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
    {512, 1}, {512, 1}, {1024, 2}, {1024, 1}
  };

  private float alpha = 1f;

  /** A builder with the defaults: alpha 1.0, 224×224×3, 1000 classes, logits. */
  public MobileNetV1() {
    super("MobileNetV1");
  }

  @Override
  MobileNetV1 self() {
    return this;
  }

  /**
   * Width multiplier: every layer has {@code floor(alpha·filters)} channels (Keras's rule); > 0.
   */
  public MobileNetV1 alpha(float a) {
    alpha = checkedAlpha(a);
    return this;
  }

  /** Builds the model with weights drawn from {@code seed}. */
  public Model build(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node x = g.input("input", resolution, resolution, channels);
    x =
        g.add(
            new Conv2D("conv1", width(32), 3, 3).strides(2, 2).padding(Padding.SAME).useBias(false),
            x);
    x = g.add(new BatchNormalization("conv1_bn"), x);
    x = g.add(new ReLU6("conv1_relu"), x);
    for (int i = 0; i < BLOCKS.length; i++)
      x = separable(g, x, i + 1, width(BLOCKS[i][0]), BLOCKS[i][1]);
    x = g.add(new GlobalAveragePooling2D("global_average_pooling"), x);
    x = g.add(new Dense("logits", classes), x);
    if (softmax) x = g.add(new Softmax("predictions"), x);
    return g.build(x);
  }

  private int width(int filters) {
    return Math.max(1, (int) (filters * alpha));
  }

  private static Node separable(GraphBuilder g, Node x, int id, int filters, int stride) {
    String dw = "conv_dw_" + id, pw = "conv_pw_" + id;
    x =
        g.add(
            new DepthwiseConv2D(dw, 3, 3)
                .strides(stride, stride)
                .padding(Padding.SAME)
                .useBias(false),
            x);
    x = g.add(new BatchNormalization(dw + "_bn"), x);
    x = g.add(new ReLU6(dw + "_relu"), x);
    x = g.add(new Conv2D(pw, filters, 1, 1).padding(Padding.SAME).useBias(false), x);
    x = g.add(new BatchNormalization(pw + "_bn"), x);
    return g.add(new ReLU6(pw + "_relu"), x);
  }
}
