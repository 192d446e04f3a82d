package org.qat4j.core.train;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.LayerRegistry;

/**
 * Transfer learning on an existing model (e.g. an imported Coral MobileNet): cut it after a layer
 * and put a new classifier on top, and freeze everything before a layer so that only the last
 * layers train. The source model is not modified.
 */
public final class FineTune {
  /** Name of the Dense layer {@link #newHead} adds. */
  public static final String HEAD = "retrained_logits";

  private FineTune() {}

  /**
   * A copy of {@code src} (single input) up to and including layer {@code last}, weights copied,
   * followed by a Flatten (when {@code last} is not flat) and a new Dense named {@link #HEAD} with
   * {@code classes} logits, drawn from {@code seed}.
   */
  public static Model newHead(Model src, String last, int classes, long seed) {
    if (classes < 2) throw new IllegalArgumentException("a classifier needs >= 2 classes");
    Node cut = src.node(last);
    if (src.inputs().contains(cut))
      throw new IllegalArgumentException("'" + last + "' is the model input: nothing to keep");
    GraphBuilder g = new GraphBuilder(seed);
    Map<Node, Node> copy = new IdentityHashMap<>();
    for (Node n : src.nodes()) {
      if (src.inputs().contains(n)) copy.put(n, g.input(n.name(), n.shape()));
      else copy.put(n, g.add(clone(n.layer()), inputsOf(n, copy)));
      copyParams(n.layer(), copy.get(n).layer());
      if (n == cut) break;
    }
    Node x = copy.get(cut);
    if (x.shape().length != 1) x = g.add(new Flatten(HEAD + "_flatten"), x);
    return g.build(g.add(new Dense(HEAD, classes), x));
  }

  /**
   * Freezes every parameter of the layers before {@code first} in graph order (their
   * BatchNormalizations also keep their moving statistics) and unfreezes {@code first} and the
   * layers after it. Returns how many parameters stay trainable.
   */
  public static long trainableFrom(Model m, String first) {
    List<Node> order = m.nodes();
    int at = order.indexOf(m.node(first));
    long trainable = 0;
    for (int i = 0; i < order.size(); i++) {
      Layer l = order.get(i).layer();
      for (Param p : l.params()) {
        p.setFrozen(i < at);
        if (p.trainable()) trainable += p.value().size();
      }
      if (l instanceof BatchNormalization bn && i < at) bn.freeze(true);
    }
    return trainable;
  }

  private static Layer clone(Layer l) {
    return LayerRegistry.create(l.type(), l.name(), l.config());
  }

  private static Node[] inputsOf(Node n, Map<Node, Node> copy) {
    Node[] in = new Node[n.inputs().size()];
    for (int i = 0; i < in.length; i++) in[i] = copy.get(n.inputs().get(i));
    return in;
  }

  private static void copyParams(Layer from, Layer to) {
    List<Param> a = from.params(), b = to.params();
    for (int i = 0; i < a.size(); i++) {
      b.get(i).value().copyFrom(a.get(i).value());
      b.get(i).setFrozen(a.get(i).frozen());
    }
  }
}
