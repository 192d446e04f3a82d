package org.qat4j.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights in the layout of {@code model.weights.h5} inside a .keras zip (and of Keras 3
 * weights-only files): one group per layer holding {@code vars/0, vars/1, ...} in creation order.
 * Group paths are normalised so that the Keras 3 ({@code layers/dense_1}), tf.keras 2.13/2.14
 * ({@code _layer_checkpoint_dependencies/<name>}) and Windows-written tf.keras 2.15 (group names
 * containing backslashes) variants all resolve. A Keras 3 LSTM/GRU has no variables of its own:
 * they sit in its cell ({@code layers/lstm/cell/vars/0..2}). Optimizer and metric groups are never
 * read.
 */
final class SavedWeights implements WeightStore {
  private final Map<String, Group> varsByPath = new LinkedHashMap<>();
  private final String file;

  SavedWeights(Group root, String file) {
    this.file = file;
    index(root, new ArrayList<>());
    if (varsByPath.isEmpty())
      throw new KerasImportException(
          file, "no layer weights found (no group holds a 'vars' group)");
  }

  private void index(Group g, List<String> path) {
    for (Node n : g) {
      if (!(n instanceof Group child)) continue;
      if (n.getName().equals("vars")) {
        varsByPath.put(String.join("/", path), child);
        continue;
      }
      List<String> p = new ArrayList<>(path);
      // tf.keras 2.15 on Windows joined nested paths with '\' into one group name
      for (String part : n.getName().split("[/\\\\]")) if (!part.isEmpty()) p.add(part);
      index(child, p);
    }
  }

  @Override
  public String layout() {
    return "Keras 3 / .keras weights (layers/<class>/vars)";
  }

  @Override
  public Var[] vars(LayerSite site, List<String[]> names) {
    String bySnake = String.join("/", site.snakePath());
    String byName = String.join("/", site.namePath());
    Group vars = varsByPath.containsKey(byName) ? varsByPath.get(byName) : varsByPath.get(bySnake);
    // Keras 3 keeps an RNN layer's weights in its cell: layers/lstm/cell/vars/0..2
    if (vars == null || vars.getChildren().isEmpty()) {
      Group cell = varsByPath.getOrDefault(byName + "/cell", varsByPath.get(bySnake + "/cell"));
      if (cell != null) vars = cell;
    }
    String where = file + ", layer '" + site.name() + "' (" + site.className() + ")";
    if (vars == null) {
      throw new KerasImportException(
          where, "no weights in the file at '" + bySnake + "/vars' or '" + byName + "/vars'");
    }
    int count = vars.getChildren().size();
    if (count != names.size()) {
      throw new KerasImportException(
          where,
          "expected "
              + names.size()
              + " weight arrays ("
              + describe(names)
              + ") under '"
              + vars.getPath()
              + "', found "
              + count);
    }
    Var[] out = new Var[count];
    for (int i = 0; i < count; i++) {
      Node n = vars.getChild(Integer.toString(i));
      if (!(n instanceof Dataset d))
        throw new KerasImportException(
            where, "'" + vars.getPath() + "/" + i + "' is missing or not a dataset");
      out[i] = H5.floats(d, file);
    }
    return out;
  }

  static String describe(List<String[]> names) {
    List<String> l = new ArrayList<>();
    for (String[] a : names) l.add(a[0]);
    return String.join(", ", l);
  }
}
