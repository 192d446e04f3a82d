package org.qat4j.cli;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TensorInfo;
import org.qat4j.tflite.TfliteModelInfo;

/**
 * Refuses models whose weights hold NaN or ±Inf: such a model exports and runs without complaint
 * but computes garbage, so the CLI stops before exporting, quantizing or evaluating it.
 */
final class Finite {
  private Finite() {}

  /** Exit 2 naming the first non-finite parameter of {@code m} and how many values are bad. */
  static void check(Model m, String ref, String option) {
    for (Map.Entry<String, Param> e : m.params().entrySet()) {
      float[] v = e.getValue().value().toArray();
      int bad = 0;
      int first = -1;
      for (int i = 0; i < v.length; i++) {
        if (!Float.isFinite(v[i])) {
          if (first < 0) first = i;
          bad++;
        }
      }
      if (bad > 0) {
        throw CliException.usage(
            option
                + ": "
                + ref
                + " has non-finite weights: "
                + e.getKey()
                + "["
                + first
                + "] = "
                + v[first]
                + " ("
                + bad
                + " of "
                + v.length
                + " values); the model is broken (diverged training or a damaged file) and is refused");
      }
    }
  }

  /** Exit 2 naming the first float32 constant tensor of a .tflite holding NaN or ±Inf. */
  static void check(TfliteModelInfo info, Path file, String option) {
    for (SubgraphInfo sg : info.subgraphs()) {
      for (TensorInfo t : sg.tensors()) {
        if (!t.constant() || !t.typeName().equals("FLOAT32")) continue;
        ByteBuffer b = info.tensorData(sg.index(), t.index());
        int n = b.remaining() / 4;
        for (int i = 0; i < n; i++) {
          float f = b.getFloat(i * 4);
          if (!Float.isFinite(f)) {
            throw CliException.usage(
                option
                    + ": "
                    + file
                    + " has non-finite weights: tensor '"
                    + t.name()
                    + "'["
                    + i
                    + "] = "
                    + f
                    + "; the model is broken (diverged training or a damaged file) and is refused");
          }
        }
      }
    }
  }
}
