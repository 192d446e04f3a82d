package org.qat4j.keras;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Unique qat4j layer names: a Keras layer keeps its name unless a layer of an enclosing or sibling
 * model already took it; extra layers (a split activation, a SeparableConv2D's depthwise half) get
 * names no Keras layer in the file uses. Also Keras's class-name snake case with per-model
 * counters, which names weight groups in the Keras 3 layout.
 */
final class Names {
  private final Set<String> reserved;
  private final Set<String> used = new HashSet<>();

  Names(Set<String> kerasNames) {
    this.reserved = new HashSet<>(kerasNames);
  }

  /** Whether some Keras layer or model of the file has this name. */
  boolean isKeras(String name) {
    return reserved.contains(name);
  }

  /**
   * The name for a Keras layer {@code name} inside the model {@code container} (null at top level).
   */
  String keras(String name, String container) {
    if (used.add(name)) return name;
    return fresh(container == null ? name : container + "_" + name);
  }

  /** A name derived from {@code base} that no Keras layer and no earlier layer uses. */
  String fresh(String base) {
    String n = base;
    for (int i = 2; reserved.contains(n) || used.contains(n); i++) n = base + "_" + i;
    used.add(n);
    return n;
  }

  /**
   * Keras's to_snake_case of a class name: "Conv2D" → "conv2d", "BatchNormalization" →
   * "batch_normalization", "ReLU" → "re_lu".
   */
  static String snake(String className) {
    String s = className.replaceAll("\\W+", "");
    s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /** Per-model counters: the first "conv2d", then "conv2d_1", "conv2d_2", ... */
  static final class Counter {
    private final Map<String, Integer> seen = new HashMap<>();

    String next(String className) {
      String base = snake(className);
      Integer k = seen.get(base);
      seen.put(base, k == null ? 0 : k + 1);
      return k == null ? base : base + "_" + (k + 1);
    }
  }
}
