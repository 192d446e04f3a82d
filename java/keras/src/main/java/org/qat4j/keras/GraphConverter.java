package org.qat4j.keras;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.Softmax;

/**
 * Walks a Keras model config (Sequential or Functional, nested to any depth) and builds one flat
 * qat4j graph: nested models are inlined, every leaf layer goes through {@link LayerMapper}.
 * Accepts the config dialects of Keras 2.0 to 3.x (bare-list Sequential configs, missing
 * InputLayer, list or dict input/output specs, old and new inbound-node formats).
 */
final class GraphConverter {
  /** A model being inlined: its name and the paths its layers' weights sit under. */
  private record Scope(
      String name,
      List<String> snakePath,
      List<String> namePath,
      String legacyGroup,
      Names.Counter counter) {
    Scope child(String childName, String snake) {
      return new Scope(
          childName,
          LayerSite.child(snakePath, "layers", snake),
          LayerSite.child(namePath, "_layer_checkpoint_dependencies", childName),
          legacyGroup == null ? childName : legacyGroup,
          new Names.Counter());
    }

    LayerSite site(KerasConfig k, String snake, Names names) {
      return new LayerSite(
          k.name,
          k.className,
          LayerSite.child(snakePath, "layers", snake),
          LayerSite.child(namePath, "_layer_checkpoint_dependencies", k.name),
          legacyGroup == null ? k.name : legacyGroup,
          names::isKeras);
    }
  }

  private record Ref(String layer, int node, int tensor) {}

  private final String file;
  private final GraphBuilder graph = new GraphBuilder(0L);
  private final Names names;
  private final LayerMapper mapper;
  private final Map<String, String> sources = new LinkedHashMap<>();
  private final List<String> frozen = new ArrayList<>();

  GraphConverter(JsonObject root, WeightStore weights, String file, String kerasVersion) {
    this.file = file;
    Set<String> all = new HashSet<>();
    collectNames(root, all);
    this.names = new Names(all);
    this.mapper = new LayerMapper(graph, names, weights, sources, kerasVersion);
  }

  Map<String, String> weightSources() {
    return sources;
  }

  List<String> frozenLayers() {
    return frozen;
  }

  private void collectNames(JsonElement e, Set<String> out) {
    if (e == null || !e.isJsonObject()) return;
    JsonObject o = e.getAsJsonObject();
    JsonElement c = o.get("config");
    if (c != null
        && c.isJsonObject()
        && c.getAsJsonObject().has("name")
        && c.getAsJsonObject().get("name").isJsonPrimitive()) {
      out.add(c.getAsJsonObject().get("name").getAsString());
    }
    JsonElement layers =
        c == null
            ? null
            : c.isJsonArray() ? c : c.isJsonObject() ? c.getAsJsonObject().get("layers") : null;
    if (layers != null && layers.isJsonArray())
      for (JsonElement l : layers.getAsJsonArray()) collectNames(l, out);
  }

  /** The qat4j model; with {@code logits} a final Softmax layer is left out. */
  Model convert(JsonObject root, boolean logits) {
    KerasConfig top = new KerasConfig(root, file);
    if (!KerasConfig.isModel(top.className)) {
      throw top.error(
          "top-level class '" + top.className + "' is not a Sequential or Functional model");
    }
    Scope scope = new Scope(null, List.of(), List.of(), null, new Names.Counter());
    List<KerasConfig> declared = inputLayers(top);
    Node[] ins = new Node[declared.size()];
    for (int i = 0; i < ins.length; i++) ins[i] = input(top, declared.get(i));
    Node[] out = model(top, ins, scope);
    for (int i = 0; i < out.length; i++) {
      if (logits && out[i].layer() instanceof Softmax) out[i] = out[i].inputs().get(0);
    }
    return graph.build(out);
  }

  /**
   * A model input: the InputLayer's shape (or the first layer's batch_input_shape); (H, W) gets a
   * channel axis.
   */
  private Node input(KerasConfig top, KerasConfig in) {
    int[] shape = in.batchInputShape();
    if (shape == null) shape = buildShape(top);
    if (shape == null)
      throw top.error("no input shape: no InputLayer, batch_input_shape or build_input_shape");
    String name =
        in.className.equals("InputLayer") ? names.keras(in.name, null) : names.fresh("input");
    if (shape.length != 2) return graph.input(name, shape);
    // (H, W) without a channel axis: qat4j images are HWC, so take (H, W, 1) and reshape to Keras's
    // (H, W)
    Node x = graph.input(name, shape[0], shape[1], 1);
    return graph.add(new Reshape(names.fresh(name + "_hw"), shape[0], shape[1]), x);
  }

  /**
   * The entries that declare the inputs, in input_layers order: InputLayers, or the first layer of
   * a Sequential.
   */
  private List<KerasConfig> inputLayers(KerasConfig model) {
    if (model.className.equals("Sequential")) {
      List<JsonElement> layers = model.layers();
      if (layers.isEmpty()) throw model.error("Sequential model has no layers");
      KerasConfig first = new KerasConfig(layers.get(0), file);
      return KerasConfig.isModel(first.className) && first.batchInputShape() == null
          ? inputLayers(first)
          : List.of(first);
    }
    List<KerasConfig> found = new ArrayList<>();
    for (Ref r : refs(model, model.cfg.get("input_layers"))) {
      KerasConfig hit = null;
      for (JsonElement e : model.layers()) {
        KerasConfig k = new KerasConfig(e, file);
        if (k.name.equals(r.layer())) hit = k;
      }
      if (hit == null) throw model.error("input layer '" + r.layer() + "' is not among the layers");
      found.add(hit);
    }
    return found;
  }

  /**
   * Sequential's build_input_shape, or the build_config input_shape Keras 3 writes next to the
   * config.
   */
  private static int[] buildShape(KerasConfig model) {
    JsonElement s = model.cfg.get("build_input_shape");
    JsonElement bc = model.entry.get("build_config");
    if ((s == null || !s.isJsonArray()) && bc != null && bc.isJsonObject())
      s = bc.getAsJsonObject().get("input_shape");
    if (s == null || !s.isJsonArray()) return null;
    JsonArray a = s.getAsJsonArray();
    int[] out = new int[a.size() - 1];
    for (int i = 1; i < a.size(); i++) {
      if (a.get(i).isJsonNull()) return null;
      out[i - 1] = a.get(i).getAsInt();
    }
    return out;
  }

  private Node[] model(KerasConfig k, Node[] in, Scope scope) {
    if (k.className.equals("Sequential")) return sequential(k, in, scope);
    return functional(k, in, scope);
  }

  private Node[] sequential(KerasConfig k, Node[] in, Scope scope) {
    if (in.length != 1) throw k.error("a Sequential model takes one input, got " + in.length);
    Node[] x = in;
    for (JsonElement e : k.layers()) {
      KerasConfig l = new KerasConfig(e, file);
      String snake = scope.counter().next(l.className);
      if (l.className.equals("InputLayer")) continue;
      x = call(l, x, scope, snake, 0);
      if (x.length != 1) throw l.error("gives " + x.length + " outputs inside a Sequential model");
    }
    return x;
  }

  /** One layer of a Functional model with its pending calls. */
  private static final class Pending {
    final KerasConfig layer;
    final String snake;
    final List<JsonElement> calls = new ArrayList<>();
    int next;

    Pending(KerasConfig layer, String snake) {
      this.layer = layer;
      this.snake = snake;
    }
  }

  /**
   * Inlines a Functional model. Layers are taken in config order, but a call whose inputs come from
   * a later layer (a shared layer's second call) waits, as Keras's own loader does.
   */
  private Node[] functional(KerasConfig k, Node[] in, Scope scope) {
    List<Ref> ins = refs(k, k.cfg.get("input_layers"));
    if (ins.size() != in.length)
      throw k.error("the model has " + ins.size() + " inputs but is called with " + in.length);
    Map<String, List<Node[]>> produced = new HashMap<>();
    Map<String, Integer> totals = new HashMap<>();
    for (int i = 0; i < in.length; i++) {
      List<Node[]> calls = new ArrayList<>();
      calls.add(new Node[] {in[i]});
      produced.put(ins.get(i).layer(), calls);
      totals.put(ins.get(i).layer(), 1);
    }
    List<Pending> pending = pending(k, scope, produced, totals);
    for (boolean progress = true; progress; ) {
      progress = false;
      for (Pending p : pending) {
        while (p.next < p.calls.size()) {
          List<Ref> refs = callRefs(p.layer, p.calls.get(p.next));
          if (!ready(refs, produced, totals)) break;
          Node[] out =
              call(p.layer, resolve(p.layer, refs, produced, totals), scope, p.snake, p.next++);
          produced.computeIfAbsent(p.layer.name, n -> new ArrayList<>()).add(out);
          progress = true;
        }
      }
    }
    for (Pending p : pending) {
      if (p.next < p.calls.size())
        throw p.layer.error("call " + p.next + " has inputs that no layer of the model produces");
    }
    return resolve(k, refs(k, k.cfg.get("output_layers")), produced, totals);
  }

  /**
   * The non-input layers of a Functional model with their calls; records each layer's call count in
   * {@code totals}.
   */
  private List<Pending> pending(
      KerasConfig k, Scope scope, Map<String, List<Node[]>> produced, Map<String, Integer> totals) {
    List<Pending> pending = new ArrayList<>();
    for (JsonElement e : k.layers()) {
      KerasConfig l = new KerasConfig(e, file);
      Pending p = new Pending(l, scope.counter().next(l.className));
      if (l.className.equals("InputLayer")) {
        if (!produced.containsKey(l.name))
          throw l.error("InputLayer is not among the model's input_layers");
        continue;
      }
      JsonElement inbound = l.entry.get("inbound_nodes");
      if (inbound == null || !inbound.isJsonArray())
        throw l.error("layer of a Functional model has no inbound_nodes");
      inbound.getAsJsonArray().forEach(p.calls::add);
      totals.put(l.name, p.calls.size());
      pending.add(p);
    }
    return pending;
  }

  private static boolean ready(
      List<Ref> refs, Map<String, List<Node[]>> produced, Map<String, Integer> totals) {
    for (Ref r : refs) {
      List<Node[]> calls = produced.get(r.layer());
      int total = totals.getOrDefault(r.layer(), 0);
      if (calls == null || calls.size() <= (total == 1 ? 0 : r.node())) return false;
    }
    return true;
  }

  private Node[] call(KerasConfig l, Node[] in, Scope scope, String snake, int call) {
    if (!l.bool("trainable", true)) frozen.add(l.name);
    if (KerasConfig.isModel(l.className)) {
      if (call > 0)
        throw l.error(
            "nested model is called "
                + (call + 1)
                + " times (shared weights); qat4j layers cannot share weights");
      return model(l, in, scope.child(l.name, snake));
    }
    String coreName =
        call == 0 ? names.keras(l.name, scope.name()) : names.fresh(l.name + "_call" + call);
    return new Node[] {mapper.map(l, in, scope.site(l, snake, names), coreName, call)};
  }

  /**
   * The nodes {@code refs} name; a layer called once is its call 0 whatever the index (nested
   * models count calls differently).
   */
  private static Node[] resolve(
      KerasConfig l,
      List<Ref> refs,
      Map<String, List<Node[]>> produced,
      Map<String, Integer> totals) {
    Node[] out = new Node[refs.size()];
    for (int i = 0; i < out.length; i++) {
      Ref r = refs.get(i);
      List<Node[]> calls = produced.get(r.layer());
      if (calls == null)
        throw l.error("input '" + r.layer() + "' is not produced by any layer of the model");
      int c = totals.getOrDefault(r.layer(), 0) == 1 ? 0 : r.node();
      if (c < 0 || c >= calls.size() || r.tensor() < 0 || r.tensor() >= calls.get(c).length) {
        throw l.error(
            "input ['" + r.layer() + "', " + r.node() + ", " + r.tensor() + "] does not exist");
      }
      out[i] = calls.get(c)[r.tensor()];
    }
    return out;
  }

  /**
   * The input references of one call: Keras 2 lists [[name, node, tensor, kwargs], ...] or Keras 3
   * {"args": [...]}.
   */
  private List<Ref> callRefs(KerasConfig l, JsonElement node) {
    List<Ref> out = new ArrayList<>();
    if (node.isJsonArray()) {
      for (JsonElement r : node.getAsJsonArray()) out.add(ref(l, r));
    } else if (node.isJsonObject() && node.getAsJsonObject().has("args")) {
      kerasTensors(node.getAsJsonObject().get("args"), out);
    } else {
      throw l.error("unreadable inbound node " + KerasConfig.abbreviate(node));
    }
    if (out.isEmpty())
      throw l.error("inbound node has no input tensors: " + KerasConfig.abbreviate(node));
    return out;
  }

  private static void kerasTensors(JsonElement e, List<Ref> out) {
    if (e.isJsonArray()) {
      for (JsonElement x : e.getAsJsonArray()) kerasTensors(x, out);
    } else if (e.isJsonObject()) {
      JsonObject o = e.getAsJsonObject();
      if (o.has("class_name") && o.get("class_name").getAsString().equals("__keras_tensor__")) {
        JsonArray h = o.getAsJsonObject("config").getAsJsonArray("keras_history");
        out.add(new Ref(h.get(0).getAsString(), h.get(1).getAsInt(), h.get(2).getAsInt()));
      }
    }
  }

  /** input_layers / output_layers: one [name, node, tensor], a list of them, or a dict of them. */
  private List<Ref> refs(KerasConfig k, JsonElement spec) {
    if (spec == null || spec.isJsonNull())
      throw k.error("model config has no input_layers/output_layers");
    List<Ref> out = new ArrayList<>();
    if (spec.isJsonObject()) {
      for (Map.Entry<String, JsonElement> e : spec.getAsJsonObject().entrySet())
        out.addAll(refs(k, e.getValue()));
    } else if (spec.getAsJsonArray().size() > 0 && spec.getAsJsonArray().get(0).isJsonPrimitive()) {
      out.add(ref(k, spec));
    } else {
      for (JsonElement r : spec.getAsJsonArray()) out.addAll(refs(k, r));
    }
    return out;
  }

  private static Ref ref(KerasConfig k, JsonElement r) {
    if (!r.isJsonArray() || r.getAsJsonArray().size() < 3)
      throw k.error("unreadable layer reference " + KerasConfig.abbreviate(r));
    JsonArray a = r.getAsJsonArray();
    return new Ref(a.get(0).getAsString(), a.get(1).getAsInt(), a.get(2).getAsInt());
  }
}
