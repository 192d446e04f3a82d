package org.qat4j.core.zoo;

import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.ZeroPadding2D;

/**
 * ResNet-50 v1 (He et al. 2015) on NHWC [N, r, r, 3] images: 3-pixel zero padding, 7×7/2
 * convolution → BN → ReLU, 1-pixel zero padding and 3×3/2 max pooling, then bottleneck stages of 3,
 * 4, 6 and 3 blocks (1×1 → 3×3 → 1×1 convolutions, BN after each, ReLU after the residual Add; the
 * first block of each stage has a 1×1 projection shortcut and carries the stride on its first 1×1,
 * as Keras does), global average pooling and a Dense classifier producing logits (Softmax layer on
 * request). Convolutions have biases and BN epsilon is 1.001e-5, as in Keras's {@code ResNet50}.
 * Defaults: 224×224×3, 1000 classes, logits (25,636,712 parameters).
 */
public final class ResNet50 extends ZooBuilder<ResNet50> {
  /** Bottleneck width and block count of stages conv2..conv5. */
  private static final int[][] STAGES = {{64, 3}, {128, 4}, {256, 6}, {512, 3}};

  private static final float BN_EPSILON = 1.001e-5f;

  /** A builder with the defaults: 224×224×3, 1000 classes, logits. */
  public ResNet50() {
    super("ResNet50");
  }

  @Override
  ResNet50 self() {
    return this;
  }

  /** Builds the model with weights drawn from {@code seed}. */
  public Model build(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node x = g.input("input", resolution, resolution, channels);
    x = g.add(new ZeroPadding2D("conv1_pad", 3, 3, 3, 3), x);
    x = g.add(new Conv2D("conv1_conv", 64, 7, 7).strides(2, 2), x);
    x = g.add(bn("conv1_bn"), x);
    x = g.add(new ReLU("conv1_relu"), x);
    x = g.add(new ZeroPadding2D("pool1_pad", 1, 1, 1, 1), x);
    x = g.add(new MaxPool2D("pool1_pool", 3, 3).strides(2, 2), x);
    for (int s = 0; s < STAGES.length; s++) {
      for (int b = 1; b <= STAGES[s][1]; b++) {
        x =
            bottleneck(
                g,
                x,
                "conv" + (s + 2) + "_block" + b + "_",
                STAGES[s][0],
                b == 1 ? (s == 0 ? 1 : 2) : 0);
      }
    }
    x = g.add(new GlobalAveragePooling2D("avg_pool"), x);
    x = g.add(new Dense("logits", classes), x);
    if (softmax) x = g.add(new Softmax("predictions"), x);
    return g.build(x);
  }

  /**
   * One bottleneck block; {@code projectStride} > 0 adds a projection shortcut with that stride.
   */
  private static Node bottleneck(
      GraphBuilder g, Node in, String p, int filters, int projectStride) {
    Node shortcut = in;
    int stride = Math.max(projectStride, 1);
    if (projectStride > 0) {
      shortcut = g.add(new Conv2D(p + "0_conv", 4 * filters, 1, 1).strides(stride, stride), in);
      shortcut = g.add(bn(p + "0_bn"), shortcut);
    }
    Node x = g.add(new Conv2D(p + "1_conv", filters, 1, 1).strides(stride, stride), in);
    x = g.add(bn(p + "1_bn"), x);
    x = g.add(new ReLU(p + "1_relu"), x);
    x = g.add(new Conv2D(p + "2_conv", filters, 3, 3).padding(Padding.SAME), x);
    x = g.add(bn(p + "2_bn"), x);
    x = g.add(new ReLU(p + "2_relu"), x);
    x = g.add(new Conv2D(p + "3_conv", 4 * filters, 1, 1), x);
    x = g.add(bn(p + "3_bn"), x);
    x = g.add(new Add(p + "add"), shortcut, x);
    return g.add(new ReLU(p + "out"), x);
  }

  private static BatchNormalization bn(String name) {
    return new BatchNormalization(name).epsilon(BN_EPSILON);
  }
}
