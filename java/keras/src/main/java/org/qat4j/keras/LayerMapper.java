package org.qat4j.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Conv2DTranspose;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.DepthwiseConv2D;
import org.qat4j.core.layers.Dropout;
import org.qat4j.core.layers.ELU;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.GlobalMaxPooling2D;
import org.qat4j.core.layers.HardSwish;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Multiply;
import org.qat4j.core.layers.PReLU;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.ReLU6;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Sigmoid;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.Subtract;
import org.qat4j.core.layers.Tanh;
import org.qat4j.core.layers.UpSampling2D;
import org.qat4j.core.layers.ZeroPadding2D;

/**
 * One Keras leaf layer call → the qat4j layers that compute it exactly, with the file's weights
 * copied bit for bit. Every Keras class qat4j can express has one case here; anything else is
 * refused with its class, name and file.
 */
final class LayerMapper {
  /** Keras classes recognised but without an exact qat4j layer (named as such in the error). */
  static final Set<String> MISSING =
      Set.of(
          "Conv3D",
          "SimpleRNN",
          "Bidirectional",
          "TimeDistributed",
          "ThresholdedReLU",
          "UpSampling1D",
          "SpatialDropout2D",
          "GaussianNoise",
          "GaussianDropout",
          "LayerNormalization",
          "InstanceNormalization",
          "GroupNormalization",
          "Lambda",
          "RepeatVector",
          "Attention",
          "MultiHeadAttention");

  private final GraphBuilder graph;
  private final Names names;
  private final WeightStore weights;
  private final Map<String, String> sources;
  private final SequenceMapper seq;

  LayerMapper(GraphBuilder graph, Names names, WeightStore weights, Map<String, String> sources) {
    this.graph = graph;
    this.names = names;
    this.weights = weights;
    this.sources = sources;
    this.seq = new SequenceMapper(this, names);
  }

  /**
   * Adds the layers for one call of {@code k} on {@code in}; {@code call} > 0 for repeated calls.
   */
  Node map(KerasConfig k, Node[] in, LayerSite site, String coreName, int call) {
    k.requireChannelsLast();
    Call c = new Call(k, in, site, coreName, call);
    return switch (k.className) {
      case "Conv2D" -> conv2d(c);
      case "DepthwiseConv2D" -> depthwise(c);
      case "SeparableConv2D" -> separable(c);
      case "Dense" -> dense(c);
      case "BatchNormalization" -> batchNorm(c);
      case "Activation" -> activate(c, k.activation(), c.one(), coreName);
      case "ReLU" -> relu(c);
      case "Softmax" -> add(new Softmax(coreName), c.lastAxis("axis").one());
      case "Add" -> add(new Add(coreName), c.in);
      case "Multiply" -> multiply(c);
      case "Concatenate" -> add(new Concatenate(coreName), c.lastAxis("axis").in);
      case "MaxPooling2D", "MaxPool2D" -> maxPool(c);
      case "AveragePooling2D", "AvgPool2D" -> avgPool(c);
      case "GlobalAveragePooling2D", "GlobalAvgPool2D" -> globalAvg(c);
      case "GlobalMaxPooling2D", "GlobalMaxPool2D" -> globalMax(c);
      case "ZeroPadding2D" -> zeroPadding(c);
      case "Flatten" -> add(new Flatten(coreName), c.one());
      case "Reshape" ->
          add(new Reshape(coreName, k.ints("target_shape", targetRank(k), null)), c.one());
      case "Dropout" -> dropout(c);
      case "Subtract" -> add(new Subtract(coreName), c.in);
      case "Maximum", "Minimum", "Average" -> KerasMerges.merge(graph, names, k, c.in, coreName);
      case "LeakyReLU" -> add(new LeakyReLU(coreName, (float) KerasMerges.slope(k, 0.3)), c.one());
      case "ELU" -> KerasMerges.elu(k, graph, c.one(), coreName);
      case "PReLU" -> prelu(c);
      case "Conv1D", "MaxPooling1D", "MaxPool1D", "AveragePooling1D", "AvgPool1D" -> seq.map(c);
      case "GlobalAveragePooling1D", "GlobalAvgPool1D", "GlobalMaxPooling1D", "GlobalMaxPool1D" ->
          seq.map(c);
      case "Embedding", "SpatialDropout1D", "LSTM", "GRU" -> seq.map(c);
      case "Conv2DTranspose", "Convolution2DTranspose" -> conv2dTranspose(c);
      case "UpSampling2D" -> upSampling(c);
      case "Permute" -> add(new Permute(c.name, k.ints("dims", c.rank(), null)), c.one());
      default -> KerasPreprocessing.map(this, c); // Cropping2D, Rescaling, ...; others refused
    };
  }

  static KerasImportException refusal(KerasConfig k) {
    if (k.className.equals("Lambda")) {
      return k.error(
          "Keras layer class 'Lambda' holds Python code (marshalled bytecode), which cannot be imported");
    }
    if (MISSING.contains(k.className)) {
      return k.error(
          "Keras layer class '"
              + k.className
              + "' is not supported: qat4j has no layer that computes it exactly");
    }
    return k.error(
        "unknown Keras layer class '"
            + k.className
            + "'; qat4j imports only built-in Keras layers");
  }

  /** The arguments of one mapping. */
  final class Call {
    final KerasConfig k;
    final Node[] in;
    final LayerSite site;
    final String name;
    final int call;

    Call(KerasConfig k, Node[] in, LayerSite site, String name, int call) {
      this.k = k;
      this.in = in;
      this.site = site;
      this.name = name;
      this.call = call;
    }

    Node one() {
      if (in.length != 1) throw k.error("expects one input, got " + in.length);
      return in[0];
    }

    int rank() {
      return in[0].shape().length;
    }

    /**
     * Checks that config {@code key} names the last axis (−1, or the rank counting the batch axis).
     */
    Call lastAxis(String key) {
      int axis =
          k.has(key) && k.cfg.get(key).isJsonArray()
              ? k.cfg.getAsJsonArray(key).size() == 1
                  ? k.cfg.getAsJsonArray(key).get(0).getAsInt()
                  : Integer.MIN_VALUE
              : k.integer(key, -1);
      if (axis != -1 && axis != rank()) {
        throw k.error(
            key
                + " "
                + k.cfg.get(key)
                + " is not the last axis; qat4j supports only the channel (last) axis here");
      }
      return this;
    }

    /** The layer's weights, in the order of {@code names} (each entry: accepted variable names). */
    Var[] vars(List<String[]> names) {
      if (call > 0)
        throw k.error(
            "layer with weights is called "
                + (call + 1)
                + " times (shared weights); qat4j layers cannot share weights");
      return weights.vars(site, names);
    }
  }

  Node add(Layer l, Node... in) {
    return graph.add(l, in);
  }

  /**
   * Keras's n-input product as a chain of two-input Multiply layers; the last one is the call's.
   */
  private Node multiply(Call c) {
    if (c.in.length < 2) throw c.k.error("Multiply needs at least 2 inputs, got " + c.in.length);
    Node y = c.in[0];
    for (int i = 1; i < c.in.length; i++) {
      String n = i == c.in.length - 1 ? c.name : names.fresh(c.name + "_partial" + i);
      y = add(new Multiply(n), y, c.in[i]);
    }
    return y;
  }

  void set(Call c, Layer l, Param p, Var v) {
    int[] want = p.value().shape();
    if (!Arrays.equals(want, v.shape())) {
      throw c.k.error(
          "weight '"
              + v.path()
              + "' has shape "
              + Arrays.toString(v.shape())
              + ", the layer needs "
              + Arrays.toString(want));
    }
    p.value().copyFrom(v.values());
    sources.put(l.name() + "/" + p.name(), v.path());
  }

  static List<String[]> names(boolean bias, String[]... kernels) {
    List<String[]> l = new ArrayList<>(Arrays.asList(kernels));
    if (bias) l.add(new String[] {"bias"});
    return l;
  }

  static Padding padding(KerasConfig k) {
    String p = k.str("padding", "valid");
    return switch (p) {
      case "valid" -> Padding.VALID;
      case "same" -> Padding.SAME;
      default -> throw k.error("padding '" + p + "' is not supported (valid or same)");
    };
  }

  /** The fused form of a Keras activation, or null when it needs a layer of its own. */
  private static Activation fused(String act) {
    return switch (act) {
      case "linear" -> Activation.NONE;
      case "relu" -> Activation.RELU;
      case "relu6" -> Activation.RELU6;
      default -> null;
    };
  }

  /** Applies Keras activation {@code act} to {@code x} as its own layer named {@code name}. */
  private Node activate(Call c, String act, Node x, String name) {
    return switch (act) {
      case "linear" -> x;
      case "relu" -> add(new ReLU(name), x);
      case "relu6" -> add(new ReLU6(name), x);
      case "sigmoid" -> add(new Sigmoid(name), x);
      case "softmax" -> add(new Softmax(name), x);
      case "hard_swish", "hard_silu" -> add(new HardSwish(name), x);
      case "tanh" -> add(new Tanh(name), x);
      case "elu" -> add(new ELU(name), x);
      case "leaky_relu" -> add(new LeakyReLU(name, 0.2f), x);
      case "swish", "silu" -> KerasMerges.swish(graph, names, x, name);
      default ->
          throw c.k.error(
              "activation '"
                  + act
                  + "' is not supported: qat4j has no layer that computes it exactly");
    };
  }

  /**
   * The activation of a conv/dense layer after its output {@code y}: fused there, or a following
   * layer.
   */
  Node after(Call c, Node y, String act) {
    return fused(act) != null ? y : activate(c, act, y, names.fresh(c.name + "_" + act));
  }

  private Node conv2d(Call c) {
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
            .padding(padding(k))
            .useBias(bias)
            .activation(fusedOrNone(act));
    Node y = add(l, c.one());
    Var[] w = c.vars(names(bias, new String[] {"kernel"}));
    set(c, l, l.kernel(), w[0]);
    if (bias) set(c, l, l.bias(), w[1]);
    return after(c, y, act);
  }

  /**
   * Conv2DTranspose without output_padding or dilation; Keras's kernel (kh, kw, filters, in) is
   * stored as qat4j's [kh, kw, in, filters] (same values, last two axes swapped).
   */
  private Node conv2dTranspose(Call c) {
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
            .padding(padding(k))
            .useBias(bias)
            .activation(fusedOrNone(act));
    Node y = add(l, c.one());
    Var[] w = c.vars(names(bias, new String[] {"kernel"}));
    set(c, l, l.kernel(), swapLastAxes(w[0]));
    if (bias) set(c, l, l.bias(), w[1]);
    return after(c, y, act);
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

  static Activation fusedOrNone(String act) {
    Activation a = fused(act);
    return a == null ? Activation.NONE : a;
  }

  private Node depthwise(Call c) {
    KerasConfig k = c.k;
    String act = k.activation();
    int[] ks = k.ints("kernel_size", 2, null),
        s = k.ints("strides", 2, new int[] {1, 1}),
        d = k.ints("dilation_rate", 2, new int[] {1, 1});
    boolean bias = k.bool("use_bias", true);
    DepthwiseConv2D l =
        new DepthwiseConv2D(c.name, ks[0], ks[1])
            .depthMultiplier(k.integer("depth_multiplier", 1))
            .strides(s[0], s[1])
            .dilation(d[0], d[1])
            .padding(padding(k))
            .useBias(bias)
            .activation(fusedOrNone(act));
    Node y = add(l, c.one());
    Var[] w = c.vars(names(bias, new String[] {"depthwise_kernel", "kernel"}));
    set(c, l, l.kernel(), w[0]);
    if (bias) set(c, l, l.bias(), w[1]);
    return after(c, y, act);
  }

  /** SeparableConv2D = DepthwiseConv2D (no bias) then a 1x1 Conv2D carrying bias and activation. */
  private Node separable(Call c) {
    KerasConfig k = c.k;
    String act = k.activation();
    int[] ks = k.ints("kernel_size", 2, null),
        s = k.ints("strides", 2, new int[] {1, 1}),
        d = k.ints("dilation_rate", 2, new int[] {1, 1});
    boolean bias = k.bool("use_bias", true);
    DepthwiseConv2D dw =
        new DepthwiseConv2D(names.fresh(c.name + "_depthwise"), ks[0], ks[1])
            .depthMultiplier(k.integer("depth_multiplier", 1))
            .strides(s[0], s[1])
            .dilation(d[0], d[1])
            .padding(padding(k))
            .useBias(false);
    Node x = add(dw, c.one());
    Conv2D pw =
        new Conv2D(c.name, k.integer("filters", 0), 1, 1)
            .useBias(bias)
            .activation(fusedOrNone(act));
    Node y = add(pw, x);
    Var[] w =
        c.vars(names(bias, new String[] {"depthwise_kernel"}, new String[] {"pointwise_kernel"}));
    set(c, dw, dw.kernel(), w[0]);
    set(c, pw, pw.kernel(), w[1]);
    if (bias) set(c, pw, pw.bias(), w[2]);
    return after(c, y, act);
  }

  private Node dense(Call c) {
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
    Dense l = new Dense(c.name, k.integer("units", 0)).useBias(bias).activation(fusedOrNone(act));
    Node y = add(l, x);
    Var[] w = c.vars(names(bias, new String[] {"kernel"}));
    set(c, l, l.kernel(), w[0]);
    if (bias) set(c, l, l.bias(), w[1]);
    return after(c, y, act);
  }

  /** Keras BatchNormalization over the last axis; without scale/center gamma stays 1 and beta 0. */
  private Node batchNorm(Call c) {
    KerasConfig k = c.k;
    c.lastAxis("axis");
    if (k.bool("renorm", false)) throw k.error("renorm=True is not supported");
    if (k.has("virtual_batch_size")) throw k.error("virtual_batch_size is not supported");
    BatchNormalization l =
        new BatchNormalization(c.name)
            .epsilon((float) k.real("epsilon", 1e-3))
            .momentum((float) k.real("momentum", 0.99));
    Node y = add(l, c.one());
    boolean scale = k.bool("scale", true), center = k.bool("center", true);
    List<String[]> n = new ArrayList<>();
    if (scale) n.add(new String[] {"gamma"});
    if (center) n.add(new String[] {"beta"});
    n.add(new String[] {"moving_mean"});
    n.add(new String[] {"moving_variance"});
    Var[] w = c.vars(n);
    int i = 0;
    if (scale) set(c, l, l.gamma(), w[i++]);
    if (center) set(c, l, l.beta(), w[i++]);
    set(c, l, l.movingMean(), w[i++]);
    set(c, l, l.movingVariance(), w[i]);
    return y;
  }

  private Node relu(Call c) {
    KerasConfig k = c.k;
    double slope = k.real("negative_slope", 0), threshold = k.real("threshold", 0);
    if (threshold != 0) throw k.error("threshold " + threshold + " is not supported (only 0)");
    if (slope != 0 && k.has("max_value"))
      throw k.error("negative_slope " + slope + " with a max_value is not supported");
    if (slope != 0) return add(new LeakyReLU(c.name, (float) slope), c.one());
    if (!k.has("max_value")) return add(new ReLU(c.name), c.one());
    double max = k.real("max_value", 0);
    if (max == 6.0) return add(new ReLU6(c.name), c.one());
    throw k.error("max_value " + max + " is not supported (only none or 6)");
  }

  /**
   * Keras PReLU: alpha has the per-sample input shape with the shared axes (batch = 0) set to 1.
   */
  private Node prelu(Call c) {
    int[] shared = KerasMerges.sharedAxes(c.k);
    PReLU l = new PReLU(c.name, shared);
    Node y = add(l, c.one());
    set(c, l, l.alpha(), c.vars(List.<String[]>of(new String[] {"alpha"}))[0]);
    return y;
  }

  private Node maxPool(Call c) {
    int[] p = c.k.ints("pool_size", 2, new int[] {2, 2}), s = c.k.ints("strides", 2, p);
    return add(
        new MaxPool2D(c.name, p[0], p[1]).strides(s[0], s[1]).padding(padding(c.k)), c.one());
  }

  private Node avgPool(Call c) {
    int[] p = c.k.ints("pool_size", 2, new int[] {2, 2}), s = c.k.ints("strides", 2, p);
    return add(
        new AveragePool2D(c.name, p[0], p[1]).strides(s[0], s[1]).padding(padding(c.k)), c.one());
  }

  /** GlobalAveragePooling2D; keepdims=True adds a Reshape to [1, 1, C]. */
  private Node globalAvg(Call c) {
    return keepDims(c, add(new GlobalAveragePooling2D(c.name), c.one()));
  }

  private Node globalMax(Call c) {
    return keepDims(c, add(new GlobalMaxPooling2D(c.name), c.one()));
  }

  /** keepdims: the pooled [C] back to (1, 1, C). */
  private Node keepDims(Call c, Node y) {
    if (!c.k.bool("keepdims", false)) return y;
    return add(new Reshape(names.fresh(c.name + "_keepdims"), 1, 1, y.shape()[0]), y);
  }

  /** ZeroPadding2D: an int, (symmetric_h, symmetric_w) or ((top, bottom), (left, right)). */
  private Node zeroPadding(Call c) {
    KerasConfig k = c.k;
    com.google.gson.JsonElement p = k.cfg.get("padding");
    int[] tblr;
    if (p == null || p.isJsonNull()) tblr = new int[] {1, 1, 1, 1};
    else if (p.isJsonPrimitive())
      tblr = new int[] {p.getAsInt(), p.getAsInt(), p.getAsInt(), p.getAsInt()};
    else {
      var a = p.getAsJsonArray();
      if (a.size() != 2) throw k.error("padding " + p + " must have 2 entries");
      int[] h = pair(k, a.get(0)), w = pair(k, a.get(1));
      tblr = new int[] {h[0], h[1], w[0], w[1]};
    }
    return add(new ZeroPadding2D(c.name, tblr[0], tblr[1], tblr[2], tblr[3]), c.one());
  }

  private static int[] pair(KerasConfig k, com.google.gson.JsonElement e) {
    if (e.isJsonPrimitive()) return new int[] {e.getAsInt(), e.getAsInt()};
    var a = e.getAsJsonArray();
    if (a.size() != 2) throw k.error("padding entry " + e + " must have 2 values");
    return new int[] {a.get(0).getAsInt(), a.get(1).getAsInt()};
  }

  private Node dropout(Call c) {
    if (c.k.has("noise_shape"))
      throw c.k.error("noise_shape " + c.k.cfg.get("noise_shape") + " is not supported");
    return add(new Dropout(c.name, (float) c.k.real("rate", 0.5)), c.one());
  }

  /** UpSampling2D: size an int or a pair, interpolation nearest or bilinear. */
  private Node upSampling(Call c) {
    int[] f = c.k.ints("size", 2, new int[] {2, 2});
    String i = c.k.str("interpolation", "nearest");
    if (!i.equals("nearest") && !i.equals("bilinear"))
      throw c.k.error("interpolation '" + i + "' is not supported (nearest or bilinear)");
    return add(new UpSampling2D(c.name, f[0], f[1], i.equals("bilinear")), c.one());
  }

  private static int targetRank(KerasConfig k) {
    if (!k.has("target_shape") || !k.cfg.get("target_shape").isJsonArray())
      throw k.error("config has no target_shape list");
    return k.cfg.getAsJsonArray("target_shape").size();
  }
}
