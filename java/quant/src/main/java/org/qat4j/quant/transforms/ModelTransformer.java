package org.qat4j.quant.transforms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Param;
import org.qat4j.core.layers.Activation;
import org.qat4j.core.layers.BatchNormalization;
import org.qat4j.core.layers.Weighted;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.QuantizeConfig;
import org.qat4j.quant.Quantizer;
import org.qat4j.quant.Scheme;
import org.qat4j.quant.Treatment;
import org.qat4j.quant.UnsupportedLayersException;
import org.qat4j.quant.layers.ConvBatchNorm;
import org.qat4j.quant.layers.FakeQuantLayer;
import org.qat4j.quant.layers.Kernels;
import org.qat4j.quant.layers.QuantizeWrapper;
import org.qat4j.quant.layers.QuantizedRecurrent;
import org.qat4j.quant.quantizers.FakeQuantizer;
import org.qat4j.quant.quantizers.FixedRangeQuantizer;
import org.qat4j.quant.quantizers.SharedRangeQuantizer;

/**
 * Builds the QAT model from a float model: clones every layer (the float model is left untouched,
 * weights copied), applies the transforms, wraps annotated layers by their registry treatment and
 * records which quantizer defines each tensor's int8 params.
 */
public final class ModelTransformer {
  private final Model src;
  private final Map<String, QuantizeConfig> annotations;
  private final Scheme scheme;
  private final List<Transform> transforms;
  private final Map<Node, List<Node>> matches = new IdentityHashMap<>();
  private final Map<Node, Transform> matchKind = new IdentityHashMap<>();
  private final Set<Node> consumed = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Map<Node, Node> mapped = new IdentityHashMap<>();
  private final Map<String, FakeQuantizer> rangeOf = new LinkedHashMap<>();
  private GraphBuilder g;

  /**
   * @param annotations layer name → config, or → null for the scheme's default treatment
   */
  public ModelTransformer(
      Model src,
      Map<String, QuantizeConfig> annotations,
      Scheme scheme,
      List<Transform> transforms) {
    this.src = src;
    this.annotations = annotations;
    this.scheme = scheme;
    this.transforms = transforms;
  }

  public QatModel apply() {
    findMatches();
    validate();
    g = new GraphBuilder(0L);
    for (Node n : src.nodes()) {
      if (consumed.contains(n)) continue;
      rewrite(n);
    }
    Node[] outs = new Node[src.outputs().size()];
    for (int i = 0; i < outs.length; i++) outs[i] = mapped.get(src.outputs().get(i));
    return new QatModel(g.build(outs), scheme, rangeOf);
  }

  private boolean annotated(Node n) {
    return annotations.containsKey(n.name());
  }

  private boolean custom(Node n) {
    return annotations.get(n.name()) != null;
  }

  private Treatment treatment(Node n) {
    return scheme.registry().row(n.layer().type()).treatment();
  }

  private void findMatches() {
    for (Node n : src.nodes()) {
      if (consumed.contains(n) || !annotated(n) || custom(n)) continue;
      for (Transform t : transforms) {
        List<Node> chain = match(n, t);
        if (chain == null) continue;
        matches.put(n, chain);
        matchKind.put(n, t);
        consumed.addAll(chain.subList(1, chain.size()));
        break;
      }
    }
  }

  private List<Node> match(Node first, Transform t) {
    return t.match(src, first, n -> annotated(n) && !custom(n) && !consumed.contains(n));
  }

  private void validate() {
    List<String> problems = new ArrayList<>();
    for (Node n : src.nodes()) {
      if (!annotated(n) || custom(n) || matches.containsKey(n) || consumed.contains(n)) continue;
      var row = scheme.registry().row(n.layer().type());
      if (row.treatment() == Treatment.UNSUPPORTED)
        problems.add("'" + n.name() + "' (" + n.layer().type() + "): " + row.note());
    }
    problems.addAll(IndexInputs.problems(src, this::treatment, n -> annotated(n) && !custom(n)));
    if (!problems.isEmpty()) throw new UnsupportedLayersException(problems);
  }

  private Node[] inputsOf(Node n) {
    Node[] in = new Node[n.inputs().size()];
    for (int i = 0; i < in.length; i++) in[i] = mapped.get(n.inputs().get(i));
    return in;
  }

  private FakeQuantizer inputRange(Node n) {
    return n.inputs().isEmpty() ? null : rangeOf.get(mapped.get(n.inputs().get(0)).name());
  }

  private Node rewrite(Node n) {
    Layer l = n.layer();
    if (src.inputs().contains(n)) {
      Node in = g.input(n.name(), n.shape());
      mapped.put(n, in);
      if (annotated(n) && !IndexInputs.isIndexInput(src, n, this::treatment)) {
        FakeQuantLayer q = new FakeQuantLayer(n.name() + "_quant", scheme.inputQuantizer());
        Node qn = g.add(q, in);
        rangeOf.put(qn.name(), q.quantizer());
        mapped.put(n, qn);
      }
      return mapped.get(n);
    }
    if (!annotated(n)) return put(n, n, add(l.copy(), l, n));
    if (custom(n)) {
      QuantizeConfig c = annotations.get(n.name());
      Layer inner = l.copy();
      return wrap(
          n,
          n,
          new QuantizeWrapper(
              inner, c.weightQuantizers(inner), Activation.NONE, c.outputQuantizer(inner)),
          l);
    }
    List<Node> chain = matches.get(n);
    if (chain != null) return rewriteMatch(n, chain, matchKind.get(n));
    return rewriteSingle(n);
  }

  private Node rewriteSingle(Node n) {
    Layer l = n.layer();
    Quantizer act = scheme.activationQuantizer();
    Activation none = Activation.NONE;
    switch (treatment(n)) {
      case WEIGHTS_AND_OUTPUT:
        {
          Layer inner = l.copy();
          return wrap(
              n,
              n,
              new QuantizeWrapper(
                  inner,
                  Map.of(Kernels.kernelParam(inner), scheme.weightQuantizer(inner)),
                  none,
                  act),
              l);
        }
      case OUTPUT:
        return wrap(n, n, new QuantizeWrapper(l.copy(), Map.of(), none, act), l);
      case FIXED_OUTPUT:
        return wrap(
            n,
            n,
            new QuantizeWrapper(l.copy(), Map.of(), none, FixedRangeQuantizer.probabilities()),
            l);
      case FIXED_SYMMETRIC_OUTPUT:
        return wrap(
            n, n, new QuantizeWrapper(l.copy(), Map.of(), none, FixedRangeQuantizer.tanh()), l);
      case SLOPE_AND_OUTPUT:
        {
          Layer inner = l.copy();
          Map<String, Quantizer> slopes = new LinkedHashMap<>();
          for (Param p : l.params()) slopes.put(p.name(), scheme.weightQuantizer(inner));
          return wrap(n, n, new QuantizeWrapper(inner, slopes, none, act), l);
        }
      case SHARE_INPUT_RANGE:
        {
          FakeQuantizer in = inputRange(n);
          if (in == null) return put(n, n, add(l.copy(), l, n));
          return wrap(
              n, n, new QuantizeWrapper(l.copy(), Map.of(), none, new SharedRangeQuantizer(in)), l);
        }
      case CONCAT:
        return concat(n);
      case TABLE_LOOKUP:
        return lookup(n);
      case RECURRENT:
        {
          QuantizedRecurrent r =
              new QuantizedRecurrent(
                  l.copy(), scheme.weightQuantizer(l), scheme.activationQuantizer());
          Node out = wrap(n, n, r, l);
          rangeOf.put(out.name(), r.outputQuantizer());
          return out;
        }
      case PASS_THROUGH:
        {
          Node out = add(l.copy(), l, n);
          FakeQuantizer in = inputRange(n);
          if (in != null) rangeOf.put(out.name(), in);
          mapped.put(n, out);
          return out;
        }
      default:
        throw new IllegalStateException("unhandled treatment for " + l);
    }
  }

  /**
   * The table fake-quantized per tensor; the output's range is the table quantizer's (no quantizer
   * of its own: TFLite's int8 GATHER copies table codes, so output params = table params).
   */
  private Node lookup(Node n) {
    Layer l = n.layer(), inner = l.copy();
    Map<String, Quantizer> tables = new LinkedHashMap<>();
    for (Param p : l.params()) tables.put(p.name(), scheme.weightQuantizer(inner));
    QuantizeWrapper w = new QuantizeWrapper(inner, tables, Activation.NONE, null);
    Node out = wrap(n, n, w, l);
    rangeOf.put(out.name(), w.weightQuantizers().values().iterator().next());
    return out;
  }

  private Node rewriteMatch(Node n, List<Node> chain, Transform t) {
    Node tail = chain.get(chain.size() - 1);
    Layer l = n.layer();
    String tailType = tail.layer().type();
    Activation act =
        tailType.equals("ReLU6")
            ? Activation.RELU6
            : tailType.equals("ReLU") ? Activation.RELU : Activation.NONE;
    if (t.kind() == Transform.Kind.FOLD_BATCH_NORM) {
      Weighted w = weighted(l);
      Layer conv = w.copy(w.activation(), false);
      Layer bnSrc = chain.get(1).layer();
      BatchNormalization bn = (BatchNormalization) bnSrc.copy();
      ConvBatchNorm cbn =
          new ConvBatchNorm(
              conv,
              w.hasBias(),
              bn,
              act,
              scheme.weightQuantizer(conv),
              scheme.activationQuantizer());
      Node out = g.add(cbn, inputsOf(n));
      copyParams(l, cbn);
      copyParams(bnSrc, cbn);
      rangeOf.put(out.name(), cbn.outputQuantizer());
      return put(n, tail, out);
    }
    if (l.type().equals("Add") || l.type().equals("Multiply")) {
      return wrap(
          n, tail, new QuantizeWrapper(l.copy(), Map.of(), act, scheme.activationQuantizer()), l);
    }
    Weighted w = weighted(l);
    Layer inner = w.copy(act, w.hasBias());
    return wrap(
        n,
        tail,
        new QuantizeWrapper(
            inner,
            Map.of(Kernels.kernelParam(inner), scheme.weightQuantizer(inner)),
            Activation.NONE,
            scheme.activationQuantizer()),
        l);
  }

  private static Weighted weighted(Layer l) {
    if (l instanceof Weighted w) return w;
    throw new IllegalStateException(
        "layer '" + l.name() + "' (" + l.type() + ") matched a weighted-layer rewrite");
  }

  private Node concat(Node n) {
    Layer l = n.layer();
    QuantizeWrapper w =
        new QuantizeWrapper(l.copy(), Map.of(), Activation.NONE, scheme.activationQuantizer());
    Node out = wrap(n, n, w, l);
    for (Node in : n.inputs()) {
      Node owner = in;
      boolean exclusive = src.consumers(in).size() == 1;
      while (exclusive
          && treatment(owner) == Treatment.PASS_THROUGH
          && annotated(owner)
          && !consumed.contains(owner)) {
        owner = owner.inputs().get(0);
        exclusive = src.consumers(owner).size() == 1;
      }
      FakeQuantizer q = rangeOf.get(mapped.get(in).name());
      // a table's and a recurrent cell's ranges stay their own
      if (!exclusive
          || q == null
          || q.fixed()
          || src.inputs().contains(owner)
          || treatment(owner) == Treatment.RECURRENT
          || treatment(owner) == Treatment.TABLE_LOOKUP) continue;
      q.setEnabled(false);
      for (var e : rangeOf.entrySet()) if (e.getValue() == q) e.setValue(w.outputQuantizer());
    }
    return out;
  }

  private Node wrap(Node first, Node tail, Layer wrapper, Layer original) {
    Node out = g.add(wrapper, inputsOf(first));
    copyParams(original, wrapper);
    FakeQuantizer oq = wrapper instanceof QuantizeWrapper w ? w.outputQuantizer() : null;
    if (oq != null) rangeOf.put(out.name(), oq);
    return put(first, tail, out);
  }

  private Node add(Layer clone, Layer original, Node n) {
    Node out = g.add(clone, inputsOf(n));
    copyParams(original, clone);
    return out;
  }

  private Node put(Node first, Node tail, Node out) {
    mapped.put(first, out);
    mapped.put(tail, out);
    return out;
  }

  /** Copies every param of {@code from} into the same-named param of {@code to}. */
  static void copyParams(Layer from, Layer to) {
    Map<String, Param> dst = new LinkedHashMap<>();
    for (Param p : to.params()) dst.put(p.name(), p);
    Set<String> missing = new HashSet<>();
    for (Param p : from.params()) {
      Param d = dst.get(p.name());
      if (d == null) {
        missing.add(p.name());
        continue;
      }
      d.value().copyFrom(p.value());
      d.setFrozen(p.frozen());
    }
    if (!missing.isEmpty())
      throw new IllegalStateException(
          "layer '" + to.name() + "' has no params " + missing + " of " + from);
  }
}
