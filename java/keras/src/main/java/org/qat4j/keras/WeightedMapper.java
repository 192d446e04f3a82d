package org.qat4j.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.PReLU;

/**
 * The Keras layers with weights on NHWC images and flat vectors (Conv2D, Conv2DTranspose,
 * DepthwiseConv2D, SeparableConv2D, Dense, BatchNormalization, PReLU), their weights copied bit for
 * bit; a conv/dense activation is fused where TFLite fuses it, else a following layer.
 */
final class WeightedMapper {
  private final LayerMapper m;
  private final Names names;

  WeightedMapper(LayerMapper m, Names names) {
    this.m = m;
    this.names = names;
  }

  Node map(LayerMapper.Call c) {
    return switch (c.k.className) {
      case "Conv2D" -> conv2d(c);
      case "DepthwiseConv2D" -> depthwise(c);
      case "SeparableConv2D" -> separable(c);
      case "Dense" -> dense(c);
      case "BatchNormalization" -> batchNorm(c);
      case "PReLU" -> prelu(c);
      case "Conv2DTranspose", "Convolution2DTranspose" -> conv2dTranspose(c);
      default -> throw LayerMapper.refusal(c.k);
    };
  }

  private Node conv2d(LayerMapper.Call c) {
    KerasConfig k = c.k;
    if (k.integer("groups", 1) != 1)
      throw k.error("groups " + k.integer("groups", 1) + " is not supported (only 1)");
    String act = k.activation();
    int[] ks = k.ints("kernel_size", 2, null),
        s = k.ints("strides", 2, new int[] {1, 1}),
        d = k.ints("dilation_rate", 2, new int[] {1, 1});
    boolean bias = k.bool("use_bias", true);
    Conv2D l =
        new Conv2D(c.name, k.integer("filters", 0), ks[0], ks[1])
            .strides(s[0], s[1])
            .dilation(d[0], d[1])
            .padding(LayerMapper.padding(k))
            .useBias(bias)
            .activation(KerasActivations.fusedOrNone(act));
    Node y = m.add(l, c.one());
    kernelAndBias(c, l, l.kernel(), l.bias(), UnaryOperator.identity(), "kernel");
    return m.after(c, y, act);
  }

  /**
   * Conv2DTranspose without output_padding or dilation; Keras's kernel (kh, kw, filters, in) is
   * stored as qat4j's [kh, kw, in, filters] (same values, last two axes swapped).
   */
  private Node conv2dTranspose(LayerMapper.Call c) {
    KerasConfig k = c.k;
    if (k.has("output_padding") && !k.cfg.get("output_padding").isJsonNull())
      throw k.error("output_padding " + k.cfg.get("output_padding") + " is not supported");
    int[] ks = k.ints("kernel_size", 2, null), s = k.ints("strides", 2, new int[] {1, 1});
    int[] d = k.ints("dilation_rate", 2, new int[] {1, 1});
    if (d[0] != 1 || d[1] != 1)
      throw k.error("dilation_rate " + Arrays.toString(d) + " is not supported (only 1)");
    String act = k.activation();
    boolean bias = k.bool("use_bias", true);
    Conv2DTranspose l =
        new Conv2DTranspose(c.name, k.integer("filters", 0), ks[0], ks[1])
            .strides(s[0], s[1])
            .padding(LayerMapper.padding(k))
            .useBias(bias)
            .activation(KerasActivations.fusedOrNone(act));
    Node y = m.add(l, c.one());
    kernelAndBias(c, l, l.kernel(), l.bias(), WeightedMapper::swapLastAxes, "kernel");
    return m.after(c, y, act);
  }

  /**
   * Copies the call's kernel ({@code kernelNames}: accepted names, in {@code order}) and, with
   * use_bias, its bias into a layer already added to the graph.
   */
  private void kernelAndBias(
      LayerMapper.Call c,
      Layer l,
      Param kernel,
      Param bias,
      UnaryOperator<Var> order,
      String... kernelNames) {
    boolean useBias = c.k.bool("use_bias", true);
    Var[] w = c.vars(LayerMapper.names(useBias, kernelNames));
    m.set(c, l, kernel, order.apply(w[0]));
    if (useBias) m.set(c, l, bias, w[1]);
  }

  /** A rank-4 weight with its last two axes swapped (values unchanged). */
  private static Var swapLastAxes(Var v) {
    int[] s = v.shape();
    if (s.length != 4) return v;
    float[] src = v.values(), dst = new float[src.length];
    int a = s[2], b = s[3];
    for (int p = 0; p < s[0] * s[1]; p++)
      for (int i = 0; i < a; i++)
        for (int j = 0; j < b; j++) dst[(p * b + j) * a + i] = src[(p * a + i) * b + j];
    return new Var(dst, new int[] {s[0], s[1], b, a}, v.path());
  }

  /**
   * A DepthwiseConv2D with the call's kernel size, depth multiplier, strides, dilation, padding.
   */
  private static DepthwiseConv2D depthwiseLayer(KerasConfig k, String name) {
    int[] ks = k.ints("kernel_size", 2, null),
        s = k.ints("strides", 2, new int[] {1, 1}),
        d = k.ints("dilation_rate", 2, new int[] {1, 1});
    return new DepthwiseConv2D(name, ks[0], ks[1])
        .depthMultiplier(k.integer("depth_multiplier", 1))
        .strides(s[0], s[1])
        .dilation(d[0], d[1])
        .padding(LayerMapper.padding(k));
  }

  private Node depthwise(LayerMapper.Call c) {
    KerasConfig k = c.k;
    String act = k.activation();
    DepthwiseConv2D l =
        depthwiseLayer(k, c.name)
            .useBias(k.bool("use_bias", true))
            .activation(KerasActivations.fusedOrNone(act));
    Node y = m.add(l, c.one());
    kernelAndBias(
        c, l, l.kernel(), l.bias(), UnaryOperator.identity(), "depthwise_kernel", "kernel");
    return m.after(c, y, act);
  }

  /** SeparableConv2D = DepthwiseConv2D (no bias) then a 1x1 Conv2D carrying bias and activation. */
  private Node separable(LayerMapper.Call c) {
    KerasConfig k = c.k;
    String act = k.activation();
    boolean bias = k.bool("use_bias", true);
    DepthwiseConv2D dw = depthwiseLayer(k, names.fresh(c.name + "_depthwise")).useBias(false);
    Node x = m.add(dw, c.one());
    Conv2D pw =
        new Conv2D(c.name, k.integer("filters", 0), 1, 1)
            .useBias(bias)
            .activation(KerasActivations.fusedOrNone(act));
    Node y = m.add(pw, x);
    Var[] w =
        c.vars(
            LayerMapper.names(
                bias, new String[] {"depthwise_kernel"}, new String[] {"pointwise_kernel"}));
    m.set(c, dw, dw.kernel(), w[0]);
    m.set(c, pw, pw.kernel(), w[1]);
    if (bias) m.set(c, pw, pw.bias(), w[2]);
    return m.after(c, y, act);
  }

  private Node dense(LayerMapper.Call c) {
    KerasConfig k = c.k;
    Node x = c.one();
    if (x.shape().length != 1) {
      throw k.error(
          "Dense on a rank-"
              + x.shape().length
              + " input "
              + Arrays.toString(x.shape())
              + " (Keras applies it to the last axis); qat4j Dense takes a flat input");
    }
    String act = k.activation();
    boolean bias = k.bool("use_bias", true);
    Dense l =
        new Dense(c.name, k.integer("units", 0))
            .useBias(bias)
            .activation(KerasActivations.fusedOrNone(act));
    Node y = m.add(l, x);
    kernelAndBias(c, l, l.kernel(), l.bias(), UnaryOperator.identity(), "kernel");
    return m.after(c, y, act);
  }

  /** Keras BatchNormalization over the last axis; without scale/center gamma stays 1 and beta 0. */
  private Node batchNorm(LayerMapper.Call c) {
    KerasConfig k = c.k;
    c.lastAxis("axis");
    if (k.bool("renorm", false)) throw k.error("renorm=True is not supported");
    if (k.has("virtual_batch_size")) throw k.error("virtual_batch_size is not supported");
    BatchNormalization l =
        new BatchNormalization(c.name)
            .epsilon((float) k.real("epsilon", 1e-3))
            .momentum((float) k.real("momentum", 0.99));
    Node y = m.add(l, c.one());
    boolean scale = k.bool("scale", true), center = k.bool("center", true);
    List<String[]> n = new ArrayList<>();
    if (scale) n.add(new String[] {"gamma"});
    if (center) n.add(new String[] {"beta"});
    n.add(new String[] {"moving_mean"});
    n.add(new String[] {"moving_variance"});
    Var[] w = c.vars(n);
    int i = 0;
    if (scale) m.set(c, l, l.gamma(), w[i++]);
    if (center) m.set(c, l, l.beta(), w[i++]);
    m.set(c, l, l.movingMean(), w[i++]);
    m.set(c, l, l.movingVariance(), w[i]);
    return y;
  }

  /**
   * Keras PReLU: alpha has the per-sample input shape with the shared axes (batch = 0) set to 1.
   */
  private Node prelu(LayerMapper.Call c) {
    int[] shared = KerasMerges.sharedAxes(c.k);
    PReLU l = new PReLU(c.name, shared);
    Node y = m.add(l, c.one());
    m.set(c, l, l.alpha(), c.vars(List.<String[]>of(new String[] {"alpha"}))[0]);
    return y;
  }
}
