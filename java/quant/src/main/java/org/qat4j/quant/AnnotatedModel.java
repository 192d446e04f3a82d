package org.qat4j.quant;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.qat4j.core.Layer;
import org.qat4j.core.Model;
import org.qat4j.core.Node;

/**
 * A float model plus the set of layers to quantize (each with the scheme's default or a custom
 * config).
 */
public final class AnnotatedModel {
  private final Model model;
  private final Map<String, QuantizeConfig> annotations = new LinkedHashMap<>();

  AnnotatedModel(Model model) {
    this.model = model;
  }

  public Model model() {
    return model;
  }

  /** Annotates the layer named {@code name} with the scheme's default treatment. */
  public AnnotatedModel annotate(String name) {
    model.node(name);
    annotations.put(name, null);
    return this;
  }

  /** Annotates the layer named {@code name} with a custom config (no transform applies to it). */
  public AnnotatedModel annotate(String name, QuantizeConfig config) {
    model.node(name);
    annotations.put(name, java.util.Objects.requireNonNull(config, "config"));
    return this;
  }

  public AnnotatedModel annotate(Layer layer) {
    return annotate(layer.name());
  }

  public AnnotatedModel annotate(Layer layer, QuantizeConfig config) {
    return annotate(layer.name(), config);
  }

  /** Annotates every layer (input included) that is not annotated yet. */
  public AnnotatedModel annotateAll() {
    for (Node n : model.nodes()) annotations.putIfAbsent(n.name(), null);
    return this;
  }

  /** Layer name → custom config (null = scheme default). */
  public Map<String, QuantizeConfig> annotations() {
    return Collections.unmodifiableMap(annotations);
  }
}
