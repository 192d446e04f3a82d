package org.qat4j.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code --key=value} command-line options of the figure drivers; unknown keys are rejected. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Map<String, Boolean> used = new HashMap<>();

  Args(String[] args) {
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("="))
        throw new IllegalArgumentException("expected --key=value, got '" + a + "'");
      values.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
    }
  }

  String get(String key, String fallback) {
    used.put(key, true);
    return values.getOrDefault(key, fallback);
  }

  int integer(String key, int fallback) {
    String v = get(key, Integer.toString(fallback));
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be an integer, got '" + v + "'");
    }
  }

  List<String> list(String key, String fallback) {
    return List.of(get(key, fallback).split(","));
  }
}
