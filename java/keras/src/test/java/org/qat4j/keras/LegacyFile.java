package org.qat4j.keras;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test support: writes a legacy Keras HDF5 model (model_config + model_weights with weight_names)
 * with jhdf, as Keras 2 lays it out, for architectures no shared fixture has. Layers are added as
 * their JSON entry plus named weights.
 */
final class LegacyFile {
  private final List<String> layers = new ArrayList<>();
  private final Map<String, Map<String, Object>> weights = new LinkedHashMap<>();
  private final String kerasVersion;

  LegacyFile(String kerasVersion) {
    this.kerasVersion = kerasVersion;
  }

  /**
   * A layer {@code cls} called {@code name} with config fields {@code config} (JSON, no braces).
   */
  LegacyFile layer(String cls, String name, String config) {
    layers.add(
        "{\"class_name\": \""
            + cls
            + "\", \"config\": {\"name\": \""
            + name
            + "\""
            + (config.isEmpty() ? "" : ", " + config)
            + "}}");
    return this;
  }

  /** A weight {@code var} (e.g. "kernel:0") of the last added layer {@code name}. */
  LegacyFile weight(String name, String var, Object values) {
    weights.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(var, values);
    return this;
  }

  Path write(Path p) {
    String cfg =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
            + String.join(", ", layers)
            + "]}}";
    try (WritableHdfFile f = HdfFile.write(p)) {
      f.putAttribute("model_config", cfg);
      if (kerasVersion != null) f.putAttribute("keras_version", kerasVersion);
      WritableGroup mw = f.putGroup("model_weights");
      // weightless layers left out (Keras lists them with an empty weight_names)
      mw.putAttribute("layer_names", weights.keySet().toArray(new String[0]));
      for (var e : weights.entrySet()) {
        WritableGroup g = mw.putGroup(e.getKey());
        WritableGroup scope = g.putGroup(e.getKey());
        List<String> names = new ArrayList<>();
        for (var w : e.getValue().entrySet()) {
          scope.putDataset(w.getKey(), w.getValue());
          names.add(e.getKey() + "/" + w.getKey());
        }
        g.putAttribute("weight_names", names.toArray(new String[0]));
      }
    }
    return p;
  }

  /** Uniform values in [-1, 1) as a float array of rank 1 or 2. */
  static Object rand(SplittableRandom r, int... shape) {
    if (shape.length == 1) {
      float[] a = new float[shape[0]];
      for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
      return a;
    }
    float[][] a = new float[shape[0]][];
    for (int i = 0; i < shape[0]; i++) a[i] = (float[]) rand(r, shape[1]);
    return a;
  }
}
