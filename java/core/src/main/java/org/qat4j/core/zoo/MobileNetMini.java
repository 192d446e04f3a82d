package org.qat4j.core.zoo;

import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.ReLU6;

/**
 * A MobileNetV2-style net for 28×28×1 images (Fashion-MNIST), NHWC, producing 10 logits; about 1.0
 * M multiply-adds and 22 k parameters, light enough to train a few Fashion-MNIST epochs on 2 cores
 * in minutes.
 *
 * <pre>
 * stem     3×3/2 conv 16, BN, ReLU6                                   14×14×16
 * sep      3×3 depthwise, BN, ReLU6; 1×1 conv 32, BN, ReLU6           14×14×32
 * down     3×3/2 depthwise, BN, ReLU6                                  7×7×32
 * ir       1×1 expand 96, BN, ReLU6; 3×3 depthwise, BN, ReLU6;
 *          linear 1×1 project 32, BN; Add with the block input         7×7×32
 * mix      [1×1 conv 32, BN, ReLU6] ‖ [3×3 depthwise, BN, ReLU6; 1×1 conv 32, BN, ReLU6] → Concatenate  7×7×64
 * head     1×1 conv 128, BN, ReLU6; global average pooling; Dense 10
 * </pre>
 *
 * Every convolution is bias-free and followed by BN, so QAT can fold BN; activations are ReLU6.
 */
public final class MobileNetMini {
  private MobileNetMini() {}

  /** Builds the net with weights drawn from {@code seed}. */
  public static Model create(long seed) {
    GraphBuilder g = new GraphBuilder(seed);
    Node x = g.input("input", 28, 28, 1);
    x = convBnRelu6(g, x, "stem", 16, 3, 2);
    x = dwBnRelu6(g, x, "sep_dw", 1);
    x = convBnRelu6(g, x, "sep_pw", 32, 1, 1);
    x = dwBnRelu6(g, x, "down_dw", 2);
    Node in = x;
    x = convBnRelu6(g, x, "ir_expand", 96, 1, 1);
    x = dwBnRelu6(g, x, "ir_dw", 1);
    x = g.add(new Conv2D("ir_project", 32, 1, 1).useBias(false), x);
    x = g.add(new BatchNormalization("ir_project_bn"), x);
    x = g.add(new Add("ir_add"), in, x);
    Node a = convBnRelu6(g, x, "mix_a", 32, 1, 1);
    Node b = dwBnRelu6(g, x, "mix_b_dw", 1);
    b = convBnRelu6(g, b, "mix_b_pw", 32, 1, 1);
    x = g.add(new Concatenate("mix_concat"), a, b);
    x = convBnRelu6(g, x, "head", 128, 1, 1);
    x = g.add(new GlobalAveragePooling2D("global_average_pooling"), x);
    x = g.add(new Dense("logits", 10), x);
    return g.build(x);
  }

  private static Node convBnRelu6(
      GraphBuilder g, Node x, String name, int filters, int k, int stride) {
    x =
        g.add(
            new Conv2D(name, filters, k, k)
                .strides(stride, stride)
                .padding(Padding.SAME)
                .useBias(false),
            x);
    x = g.add(new BatchNormalization(name + "_bn"), x);
    return g.add(new ReLU6(name + "_relu"), x);
  }

  private static Node dwBnRelu6(GraphBuilder g, Node x, String name, int stride) {
    x =
        g.add(
            new DepthwiseConv2D(name, 3, 3)
                .strides(stride, stride)
                .padding(Padding.SAME)
                .useBias(false),
            x);
    x = g.add(new BatchNormalization(name + "_bn"), x);
    return g.add(new ReLU6(name + "_relu"), x);
  }
}
