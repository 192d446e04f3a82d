package org.qat4j.keras;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Add;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Dropout;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.GlobalMaxPooling2D;
import org.qat4j.core.layers.LeakyReLU;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Multiply;
import org.qat4j.core.layers.Padding;
import org.qat4j.core.layers.Permute;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Softmax;
import org.qat4j.core.layers.Subtract;
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
  private final WeightedMapper weighted;
  private final KerasActivations acts;
  private final String kerasVersion;

  LayerMapper(
      GraphBuilder graph,
      Names names,
      WeightStore weights,
      Map<String, String> sources,
      String kerasVersion) {
    this.graph = graph;
    this.names = names;
    this.weights = weights;
    this.sources = sources;
    this.seq = new SequenceMapper(this, names);
    this.weighted = new WeightedMapper(this, names);
    this.acts = new KerasActivations(this, names, kerasVersion);
    this.kerasVersion = kerasVersion;
  }

  /**
   * Adds the layers for one call of {@code k} on {@code in}; {@code call} > 0 for repeated calls.
   */
  Node map(KerasConfig k, Node[] in, LayerSite site, String coreName, int call) {
    k.requireChannelsLast();
    Call c = new Call(k, in, site, coreName, call);
    return switch (k.className) {
      case "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Dense", "BatchNormalization" ->
          weighted.map(c);
      case "PReLU", "Conv2DTranspose", "Convolution2DTranspose" -> weighted.map(c);
      case "Activation" -> acts.activate(c, k.activation(), c.one(), coreName);
      case "ReLU" -> acts.relu(c);
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
      case "ELU" -> acts.eluLayer(c);
      case "Conv1D", "MaxPooling1D", "MaxPool1D", "AveragePooling1D", "AvgPool1D" -> seq.map(c);
      case "GlobalAveragePooling1D", "GlobalAvgPool1D", "GlobalMaxPooling1D", "GlobalMaxPool1D" ->
          seq.map(c);
      case "Embedding", "SpatialDropout1D", "LSTM", "GRU" -> seq.map(c);
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

    /** The Keras version that wrote the file ("unknown" when it does not say). */
    String kerasVersion() {
      return kerasVersion;
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

  GraphBuilder graph() {
    return graph;
  }

  /**
   * The activation of a conv/dense layer after its output {@code y}: fused there, or a following
   * layer.
   */
  Node after(Call c, Node y, String act) {
    return KerasActivations.fused(act) != null
        ? y
        : acts.activate(c, act, y, names.fresh(c.name + "_" + act));
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
    JsonElement p = k.cfg.get("padding");
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

  private static int[] pair(KerasConfig k, JsonElement e) {
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
