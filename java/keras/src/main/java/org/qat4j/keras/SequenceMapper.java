package org.qat4j.keras;

import java.util.Arrays;
import java.util.List;
import org.qat4j.core.Layer;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.AveragePool2D;
import org.qat4j.core.layers.Conv2D;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.GlobalMaxPooling2D;
import org.qat4j.core.layers.LSTM;
import org.qat4j.core.layers.MaxPool2D;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.SpatialDropout1D;

/**
 * The Keras sequence layers. Conv1D and the 1-D poolings on [L, C] become Reshape (1, L, C), the
 * 2-D layer over a 1×k window and Reshape back, as TFLite's converter lowers them (the Conv2D
 * kernel [1, k, in, out] holds Conv1D's [k, in, out] unchanged); Embedding, SpatialDropout1D, LSTM
 * and GRU map to the qat4j layers of those names.
 */
final class SequenceMapper {
  private final LayerMapper m;
  private final Names names;

  SequenceMapper(LayerMapper m, Names names) {
    this.m = m;
    this.names = names;
  }

  Node map(LayerMapper.Call c) {
    return switch (c.k.className) {
      case "Conv1D" -> conv1d(c);
      case "MaxPooling1D", "MaxPool1D" -> pool1d(c, true);
      case "AveragePooling1D", "AvgPool1D" -> pool1d(c, false);
      case "GlobalAveragePooling1D", "GlobalAvgPool1D" -> global1d(c, false);
      case "GlobalMaxPooling1D", "GlobalMaxPool1D" -> global1d(c, true);
      case "Embedding" -> embedding(c);
      case "SpatialDropout1D" ->
          m.add(new SpatialDropout1D(c.name, (float) c.k.real("rate", 0.5)), sequence(c));
      case "LSTM" -> lstm(c);
      case "GRU" -> gru(c);
      default -> throw LayerMapper.refusal(c.k);
    };
  }

  /** The call's single input, checked to be a sequence [steps, features]. */
  private static Node sequence(LayerMapper.Call c) {
    Node x = c.one();
    if (x.shape().length != 2)
      throw c.k.error("expects a sequence [steps, features], got " + Arrays.toString(x.shape()));
    return x;
  }

  /** [L, C] → (1, L, C). */
  private Node expand(LayerMapper.Call c) {
    int[] s = sequence(c).shape();
    return m.add(new Reshape(names.fresh(c.name + "_expand"), 1, s[0], s[1]), c.one());
  }

  /** (1, L', C') → [L', C']. */
  private Node squeeze(LayerMapper.Call c, Node y) {
    int[] s = y.shape();
    return m.add(new Reshape(names.fresh(c.name + "_squeeze"), s[1], s[2]), y);
  }

  private Node conv1d(LayerMapper.Call c) {
    KerasConfig k = c.k;
    if ("causal".equals(k.str("padding", "valid")))
      throw k.error("padding 'causal' is not supported (valid or same)");
    if (k.integer("groups", 1) != 1)
      throw k.error("groups " + k.integer("groups", 1) + " is not supported (only 1)");
    String act = k.activation();
    int size = k.ints("kernel_size", 1, null)[0], stride = k.ints("strides", 1, new int[] {1})[0];
    int dilation = k.ints("dilation_rate", 1, new int[] {1})[0];
    boolean bias = k.bool("use_bias", true);
    Conv2D l =
        new Conv2D(c.name, k.integer("filters", 0), 1, size)
            .strides(1, stride)
            .dilation(1, dilation)
            .padding(LayerMapper.padding(k))
            .useBias(bias)
            .activation(KerasActivations.fusedOrNone(act));
    Node y = m.add(l, expand(c));
    Var[] w = c.vars(LayerMapper.names(bias, new String[] {"kernel"}));
    int[] keras = l.kernel().value().shape();
    setAs(c, l, l.kernel(), w[0], Arrays.copyOfRange(keras, 1, 4));
    if (bias) m.set(c, l, l.bias(), w[1]);
    return m.after(c, squeeze(c, y), act);
  }

  private Node pool1d(LayerMapper.Call c, boolean max) {
    int p = c.k.ints("pool_size", 1, new int[] {2})[0];
    int s = c.k.ints("strides", 1, new int[] {p})[0];
    Node x = expand(c);
    Layer l =
        max
            ? new MaxPool2D(c.name, 1, p).strides(1, s).padding(LayerMapper.padding(c.k))
            : new AveragePool2D(c.name, 1, p).strides(1, s).padding(LayerMapper.padding(c.k));
    return squeeze(c, m.add(l, x));
  }

  /** Over the steps: [L, C] → [C] (keepdims: [1, C]). */
  private Node global1d(LayerMapper.Call c, boolean max) {
    Node x = expand(c);
    Layer l = max ? new GlobalMaxPooling2D(c.name) : new GlobalAveragePooling2D(c.name);
    Node y = m.add(l, x);
    if (!c.k.bool("keepdims", false)) return y;
    return m.add(new Reshape(names.fresh(c.name + "_keepdims"), 1, y.shape()[0]), y);
  }

  private Node embedding(LayerMapper.Call c) {
    KerasConfig k = c.k;
    if (k.bool("mask_zero", false))
      throw k.error("mask_zero=True is not supported (qat4j layers take no mask)");
    Node x = c.one();
    if (x.shape().length != 1)
      throw k.error("expects indices [steps], got " + Arrays.toString(x.shape()));
    Embedding l = new Embedding(c.name, k.integer("input_dim", 0), k.integer("output_dim", 0));
    Node y = m.add(l, x);
    m.set(c, l, l.embeddings(), c.vars(List.<String[]>of(new String[] {"embeddings"}))[0]);
    return y;
  }

  private Node lstm(LayerMapper.Call c) {
    boolean hard = recurrentCommon(c);
    LSTM l =
        new LSTM(c.name, c.k.integer("units", 0))
            .returnSequences(c.k.bool("return_sequences", false))
            .hardSigmoid(hard);
    Node y = m.add(l, sequence(c));
    recurrentWeights(c, l, l.kernel(), l.recurrentKernel(), l.bias());
    return y;
  }

  private Node gru(LayerMapper.Call c) {
    boolean hard = recurrentCommon(c);
    // Keras 2.0-2.1 wrote no reset_after and computed reset_after=False
    GRU l =
        new GRU(c.name, c.k.integer("units", 0))
            .returnSequences(c.k.bool("return_sequences", false))
            .resetAfter(c.k.bool("reset_after", false))
            .hardSigmoid(hard);
    Node y = m.add(l, sequence(c));
    recurrentWeights(c, l, l.kernel(), l.recurrentKernel(), l.bias());
    return y;
  }

  /**
   * Refuses what qat4j's recurrent layers do not compute; returns whether the gates use Keras 2's
   * hard_sigmoid. Dropout and recurrent_dropout act only in Keras training and are not applied.
   */
  private static boolean recurrentCommon(LayerMapper.Call c) {
    KerasConfig k = c.k;
    for (String flag : new String[] {"return_state", "go_backwards", "stateful", "time_major"})
      if (k.bool(flag, false)) throw k.error(flag + "=True is not supported");
    if (!k.bool("use_bias", true)) throw k.error("use_bias=False is not supported");
    String act = k.activation("activation", "tanh");
    if (!act.equals("tanh")) throw k.error("activation '" + act + "' is not supported (tanh)");
    String rec = k.activation("recurrent_activation", "sigmoid");
    // Keras 3 defines hard_sigmoid as relu6(x + 3) / 6; without a version, Keras 3's entries
    // carry "module"
    int major = KerasActivations.major(c.kerasVersion());
    if (rec.equals("hard_sigmoid") && (major == 2 || major == 0 && !k.entry.has("module")))
      return true;
    if (rec.equals("sigmoid")) return false;
    throw k.error(
        "recurrent_activation '" + rec + "' is not supported (sigmoid, or Keras 2's hard_sigmoid)");
  }

  private void recurrentWeights(
      LayerMapper.Call c, Layer l, Param kernel, Param recurrent, Param bias) {
    Var[] w =
        c.vars(
            List.of(
                new String[] {"kernel"}, new String[] {"recurrent_kernel"}, new String[] {"bias"}));
    m.set(c, l, kernel, w[0]);
    m.set(c, l, recurrent, w[1]);
    m.set(c, l, bias, w[2]);
  }

  /** Copies {@code v} of Keras shape {@code keras} into {@code p} of the same element order. */
  private void setAs(LayerMapper.Call c, Layer l, Param p, Var v, int[] keras) {
    if (!Arrays.equals(keras, v.shape()))
      throw c.k.error(
          "weight '"
              + v.path()
              + "' has shape "
              + Arrays.toString(v.shape())
              + ", the layer needs "
              + Arrays.toString(keras));
    m.set(c, l, p, new Var(v.values(), p.value().shape(), v.path()));
  }
}
