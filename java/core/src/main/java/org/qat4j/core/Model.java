package org.qat4j.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qat4j.core.layers.BnActPool;

/**
 * A directed acyclic graph of named layers with one or more inputs and outputs, batch-first NHWC
 * tensors. Built by {@link Sequential} or {@link GraphBuilder}; not thread-safe (layers cache
 * activations for backward). The single-tensor methods need exactly one input and one output; the
 * array forms take inputs and give outputs in declaration order.
 */
public final class Model {
  private final List<Node> inputs;
  private final List<Node> outputs;
  private final List<Node> order;
  private final Map<String, Node> byName = new LinkedHashMap<>();
  private final Map<Node, Tensor> acts = new IdentityHashMap<>();
  private final Map<Node, Tensor> grads = new IdentityHashMap<>();
  private final Map<Node, Tensor> sums = new IdentityHashMap<>();
  private final Map<Node, List<Node>> consumers = new IdentityHashMap<>();
  private final Map<Node, BnActPool> fusedFrom = new IdentityHashMap<>();
  private final Map<Node, BnActPool> fusedTo = new IdentityHashMap<>();
  private final ConvFusions convs;
  private boolean fusedPass;
  private StepListener listener;

  Model(List<Node> inputs, List<Node> outputs, List<Node> candidates) {
    this.inputs = List.copyOf(inputs);
    this.outputs = List.copyOf(outputs);
    if (outputs.isEmpty()) throw new IllegalArgumentException("a model needs at least one output");
    if (new HashSet<>(outputs).size() != outputs.size())
      throw new IllegalArgumentException("an output is listed twice: " + names(outputs));
    this.order = reachable(outputs, candidates);
    for (Node in : inputs) {
      if (!order.contains(in))
        throw new IllegalArgumentException(
            "no output among " + names(outputs) + " depends on input '" + in.name() + "'");
    }
    for (Node n : order) {
      byName.put(n.name(), n);
      for (Node in : n.inputs()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
    }
    convs = new ConvFusions(this);
    for (int i = 0; i < order.size(); i++) {
      BnActPool f = fusion(i);
      if (f == null) continue;
      fusedFrom.put(order.get(i), f);
      fusedTo.put(order.get(i + f.span() - 1), f);
      i += f.span() - 1;
    }
  }

  /**
   * The training-time fusion starting at order[i] (BN → ReLU/ReLU6 → optional MaxPool2D), when each
   * of those nodes feeds only the next one and none but the last is the model output.
   */
  private BnActPool fusion(int i) {
    Node[] chain = ConvFusions.chain(this, i, 3);
    int len = chain.length;
    if (len < 2) return null;
    return BnActPool.match(chain[0].layer(), chain[1].layer(), len > 2 ? chain[2].layer() : null);
  }

  private static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }

  /** Nodes in creation order that the outputs depend on (creation order is topological). */
  private static List<Node> reachable(List<Node> outputs, List<Node> candidates) {
    Map<Node, Boolean> keep = new IdentityHashMap<>();
    ArrayList<Node> stack = new ArrayList<>(outputs);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (keep.put(n, Boolean.TRUE) == null) stack.addAll(n.inputs());
    }
    List<Node> out = new ArrayList<>();
    for (Node n : candidates) if (keep.containsKey(n)) out.add(n);
    return out;
  }

  /** The only input; throws {@link IllegalStateException} when there are several. */
  public Node input() {
    return single(inputs, "input");
  }

  /** The only output; throws {@link IllegalStateException} when there are several. */
  public Node output() {
    return single(outputs, "output");
  }

  /** Inputs in declaration order. */
  public List<Node> inputs() {
    return inputs;
  }

  /** Outputs in the order given to {@link GraphBuilder#build}. */
  public List<Node> outputs() {
    return outputs;
  }

  private static Node single(List<Node> l, String what) {
    if (l.size() != 1)
      throw new IllegalStateException(
          "model has " + l.size() + " " + what + "s " + names(l) + "; use " + what + "s()");
    return l.get(0);
  }

  /** Nodes in topological order, input first. */
  public List<Node> nodes() {
    return Collections.unmodifiableList(order);
  }

  public Node node(String name) {
    Node n = byName.get(name);
    if (n == null) throw new IllegalArgumentException("no layer named '" + name + "'");
    return n;
  }

  public Layer layer(String name) {
    return node(name).layer();
  }

  /** Nodes that read the output of {@code n}. */
  public List<Node> consumers(Node n) {
    return consumers.getOrDefault(n, List.of());
  }

  /** Per-sample shape of the only input. */
  public int[] inputShape() {
    return input().shape();
  }

  /** Per-sample shape of the only output. */
  public int[] outputShape() {
    return output().shape();
  }

  /** All parameters keyed "layer/param", in graph order. */
  public Map<String, Param> params() {
    Map<String, Param> m = new LinkedHashMap<>();
    for (Node n : order) for (Param p : n.layer().params()) m.put(n.name() + "/" + p.name(), p);
    return m;
  }

  public List<Param> trainableParams() {
    List<Param> l = new ArrayList<>();
    for (Param p : params().values()) if (p.trainable()) l.add(p);
    return l;
  }

  /**
   * Runs the graph on a batch {@code [N, ...inputShape]}; the result is reused by the next call. In
   * training, BN → ReLU/ReLU6 (→ MaxPool2D) chains run fused ({@link BnActPool}), or with a first
   * small conv ({@link ConvFusions}), so {@link #activation} has no value for those inner nodes.
   */
  public Tensor forward(Tensor x, ExecContext ctx) {
    output();
    return forward(new Tensor[] {x}, ctx)[0];
  }

  /**
   * Runs the graph on one batch per input (same N, in {@link #inputs()} order) and returns one
   * batch per output; the results are reused by the next call.
   */
  public Tensor[] forward(Tensor[] xs, ExecContext ctx) {
    checkInputs(xs);
    acts.clear();
    fusedPass = ctx.training() && (listener == null || listener.fuse());
    for (int k = 0; k < order.size(); k++) {
      Node n = order.get(k);
      int at = inputs.indexOf(n);
      Tensor[] ins = new Tensor[at >= 0 ? 1 : n.inputs().size()];
      if (at >= 0) ins[0] = xs[at];
      else for (int i = 0; i < ins.length; i++) ins[i] = acts.get(n.inputs().get(i));
      BnActPool f = fusedPass ? fusedFrom.get(n) : null;
      var c = convs.start(n, fusedPass, ctx);
      if (c != null || f != null) {
        k += (c != null ? c.span() : f.span()) - 1;
        acts.put(order.get(k), c != null ? c.forward(ins[0], ctx) : f.forward(ins[0], ctx));
      } else {
        acts.put(n, n.layer().forward(ins, ctx));
      }
      if (listener != null) listener.stepDone(n, order.get(k), false);
    }
    Tensor[] out = new Tensor[outputs.size()];
    for (int i = 0; i < out.length; i++) out[i] = acts.get(outputs.get(i));
    return out;
  }

  private void checkInputs(Tensor[] xs) {
    if (xs.length != inputs.size())
      throw new IllegalArgumentException(
          "model has " + inputs.size() + " inputs " + names(inputs) + ", got " + xs.length);
    int batch = -1;
    for (int i = 0; i < xs.length; i++) {
      int[] want = inputs.get(i).shape();
      int[] got = xs[i].shape();
      if (got.length != want.length + 1 || !Arrays.equals(Shapes.dropBatch(got), want)) {
        throw new IllegalArgumentException(
            "model input '"
                + inputs.get(i).name()
                + "' expects [N,"
                + Arrays.toString(want).substring(1)
                + ", got "
                + Arrays.toString(got));
      }
      if (batch >= 0 && got[0] != batch)
        throw new IllegalArgumentException(
            "inputs have different batch sizes: " + batch + " and " + got[0]);
      batch = got[0];
    }
  }

  /** Inference-mode forward pass. */
  public Tensor predict(Tensor x) {
    return forward(x, ExecContext.inference());
  }

  /** Observes the following passes step by step (null: none); for profiling. */
  public void listen(StepListener l) {
    listener = l;
  }

  /** Activation of a named node from the last forward pass. */
  public Tensor activation(String name) {
    return acts.get(node(name));
  }

  /**
   * Back-propagates dLoss/dOutput of the last forward pass, writing every trainable gradient. The
   * gradient with respect to the model input is not computed (returns null); see {@link
   * #backward(Tensor, ExecContext, boolean)}.
   */
  public Tensor backward(Tensor gradOutput, ExecContext ctx) {
    return backward(gradOutput, ctx, false);
  }

  /**
   * As {@link #backward(Tensor, ExecContext)}; with {@code inputGradient} it also returns
   * dLoss/dInput. Gradients that no trainable parameter (and no requested input gradient) depends
   * on are skipped, e.g. the first convolution's input gradient.
   */
  public Tensor backward(Tensor gradOutput, ExecContext ctx, boolean inputGradient) {
    Node in = input();
    output();
    backward(new Tensor[] {gradOutput}, ctx, inputGradient);
    return inputGradient ? grads.get(in) : null;
  }

  /**
   * Back-propagates one dLoss/dOutput per output (in {@link #outputs()} order; null for an output
   * the loss ignores); with {@code inputGradient} returns dLoss/dInput per input (buffers reused by
   * the next call), else null. The given gradients are not modified.
   */
  public Tensor[] backward(Tensor[] gradOutputs, ExecContext ctx, boolean inputGradient) {
    if (gradOutputs.length != outputs.size())
      throw new IllegalArgumentException(
          "model has " + outputs.size() + " outputs, got " + gradOutputs.length + " gradients");
    Map<Node, Boolean> need = gradientNeeded(inputGradient);
    grads.clear();
    for (int i = 0; i < gradOutputs.length; i++) {
      // A copy when something else may add into it: the caller's tensor stays untouched.
      Tensor g = gradOutputs[i];
      if (g != null) grads.put(outputs.get(i), consumers(outputs.get(i)).isEmpty() ? g : g.copy());
    }
    for (int i = order.size() - 1; i >= 0; i--) {
      int first = backwardNode(i, ctx, need);
      if (listener != null) listener.stepDone(order.get(first), order.get(i), true);
      i = first;
    }
    if (!inputGradient) return null;
    Tensor[] r = new Tensor[inputs.size()];
    for (int i = 0; i < r.length; i++) r[i] = grads.get(inputs.get(i));
    return r;
  }

  /** Back-propagates through order[i] (or the fused chain ending there); returns the next index. */
  private int backwardNode(int i, ExecContext ctx, Map<Node, Boolean> need) {
    Node n = order.get(i);
    Tensor g = grads.get(n);
    var c = convs.ran(n);
    if (c != null) {
      i -= c.span() - 1;
      Node in = order.get(i).inputs().get(0);
      accumulate(in, c.backward(g, ctx, g != null && need.get(in)));
      return i;
    }
    BnActPool f = fusedPass ? fusedTo.get(n) : null;
    if (f != null) {
      i -= f.span() - 1;
      Node first = order.get(i), in = first.inputs().get(0);
      if (g == null) {
        zeroParamGrads(first.layer());
        return i;
      }
      boolean needIn = need.get(in);
      Tensor gin = f.backward(g, needIn);
      if (needIn) accumulate(in, gin);
      return i;
    }
    if (g == null) {
      zeroParamGrads(n.layer());
      return i;
    }
    if (inputs.contains(n)) return i;
    boolean[] needIn = new boolean[n.inputs().size()];
    for (int k = 0; k < needIn.length; k++) needIn[k] = need.get(n.inputs().get(k));
    Tensor[] gin = n.layer().backward(g, ctx, needIn);
    for (int k = 0; k < needIn.length; k++) if (needIn[k]) accumulate(n.inputs().get(k), gin[k]);
    return i;
  }

  /**
   * Per node: whether some trainable parameter at or before it (or the wanted input gradient) needs
   * its gradient.
   */
  Map<Node, Boolean> gradientNeeded(boolean inputGradient) {
    Map<Node, Boolean> need = new IdentityHashMap<>();
    for (Node n : order) {
      boolean b = inputs.contains(n) ? inputGradient : hasTrainable(n.layer());
      for (Node in : n.inputs()) b |= need.get(in);
      need.put(n, b);
    }
    return need;
  }

  private static boolean hasTrainable(Layer l) {
    for (Param p : l.params()) if (p.trainable()) return true;
    return false;
  }

  private void accumulate(Node target, Tensor g) {
    if (g == null) return;
    Tensor prev = grads.get(target);
    if (prev == null) {
      // Fan-out nodes need a private accumulator since layer outputs are reused buffers; it is
      // kept from pass to pass (no native allocation per step).
      if (consumers(target).size() > 1) {
        Tensor sum = Tensor.reuse(sums.get(target), g.shape());
        sum.copyFrom(g);
        sums.put(target, sum);
        g = sum;
      }
      grads.put(target, g);
      return;
    }
    int n = prev.size(), block = 8192;
    var a = prev.buffer();
    var b = g.buffer();
    float[] va = new float[Math.min(block, n)], vb = new float[va.length];
    for (int o = 0; o < n; o += block) {
      int len = Math.min(block, n - o);
      a.get(o, va, 0, len);
      b.get(o, vb, 0, len);
      for (int i = 0; i < len; i++) va[i] += vb[i];
      a.put(o, va, 0, len);
    }
  }

  private static void zeroParamGrads(Layer l) {
    for (Param p : l.params()) if (p.trainable()) p.grad().fill(0f);
  }

  /** Total number of scalar parameters. */
  public long parameterCount() {
    long c = 0;
    for (Param p : params().values()) c += p.value().size();
    return c;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Model{\n");
    for (Node n : order) {
      sb.append("  ").append(n);
      if (!n.inputs().isEmpty())
        sb.append(" <- ").append(n.inputs().stream().map(Node::name).toList());
      sb.append('\n');
    }
    return sb.append('}').toString();
  }
}
