package org.qat4j.keras;

import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weights in the legacy HDF5 layout ({@code model.save("x.h5")} and Keras 2 {@code save_weights}):
 * one group per top-level layer with a {@code weight_names} attribute listing dataset paths such as
 * {@code conv2d/kernel:0} (Keras 2) or {@code sequential/conv2d/kernel} (Keras 3). The weights of a
 * nested model's layers lie flat in the nested model's group; the path component before the
 * variable name is the layer name, or the one before it for an RNN's cell ({@code
 * inner/lstm/lstm_cell/kernel}).
 */
final class LegacyWeights implements WeightStore {
  /**
   * One weight: the path component before its variable name ({@code layer}) and, when that is an
   * RNN cell's scope ({@code lstm/lstm_cell/kernel}), the component before it ({@code cellOwner}).
   */
  private record Entry(String layer, String cellOwner, String var, Dataset data) {}

  private final Map<String, List<Entry>> byGroup = new LinkedHashMap<>();
  private final String file;

  LegacyWeights(Group root, String file) {
    this.file = file;
    String[] layerNames = H5.stringsAttr(root, "layer_names", file);
    if (layerNames == null)
      throw new KerasImportException(
          file, "HDF5 group '" + root.getPath() + "' has no 'layer_names' attribute");
    for (String name : layerNames) {
      Node n = root.getChild(name);
      if (!(n instanceof Group g))
        throw new KerasImportException(
            file,
            "layer_names lists '"
                + name
                + "' but there is no such group under '"
                + root.getPath()
                + "'");
      byGroup.put(name, entries(g));
    }
  }

  private List<Entry> entries(Group g) {
    String[] weightNames = H5.stringsAttr(g, "weight_names", file);
    List<Entry> out = new ArrayList<>();
    if (weightNames == null) return out;
    for (String w : weightNames) {
      Node n;
      try {
        n = g.getByPath(w);
      } catch (RuntimeException e) {
        n = null;
      }
      if (!(n instanceof Dataset d))
        throw new KerasImportException(
            file,
            "weight '"
                + w
                + "' listed in '"
                + g.getPath()
                + "@weight_names' is not a dataset in the file");
      String[] parts = w.split("/");
      String var = parts[parts.length - 1].replaceFirst(":\\d+$", "");
      String layer = parts.length >= 2 ? parts[parts.length - 2] : g.getName();
      String owner = parts.length >= 3 && layer.endsWith("_cell") ? parts[parts.length - 3] : null;
      out.add(new Entry(layer, owner, var, d));
    }
    return out;
  }

  @Override
  public String layout() {
    return "legacy HDF5 (model_weights + weight_names)";
  }

  @Override
  public Var[] vars(LayerSite site, List<String[]> names) {
    String where = file + ", layer '" + site.name() + "' (" + site.className() + ")";
    List<Entry> group = byGroup.get(site.legacyGroup());
    if (group == null)
      throw new KerasImportException(
          where, "no weight group '" + site.legacyGroup() + "' in the file");
    List<Entry> mine = new ArrayList<>();
    for (Entry e : group) if (e.layer().equals(site.name()) || ownsCell(e, site)) mine.add(e);
    if (mine.isEmpty() && site.legacyGroup().equals(site.name())) mine.addAll(group);
    if (mine.isEmpty()) mine = scoped(group, site, where);
    if (mine.size() != names.size()) {
      throw new KerasImportException(
          where,
          "expected "
              + names.size()
              + " weight arrays ("
              + SavedWeights.describe(names)
              + ") in group '"
              + site.legacyGroup()
              + "', found "
              + mine.size());
    }
    Var[] out = new Var[names.size()];
    for (int i = 0; i < out.length; i++) out[i] = H5.floats(find(mine, names.get(i), where), file);
    return out;
  }

  /** An LSTM/GRU's weights under its cell's scope, which is no layer of the file. */
  private static boolean ownsCell(Entry e, LayerSite site) {
    return site.name().equals(e.cellOwner()) && !site.isLayerName().test(e.layer());
  }

  /**
   * Keras 2.0 made weight names from TensorFlow name scopes, which append "_1", "_2", ... to a
   * repeated scope: inside a nested model's group, layer {@code conv} may appear as {@code conv_1}.
   * Taken only when exactly one such name exists and no layer of the file is called that.
   */
  private static List<Entry> scoped(List<Entry> group, LayerSite site, String where) {
    String pattern = java.util.regex.Pattern.quote(site.name()) + "_\\d+";
    java.util.Set<String> scopes = new java.util.TreeSet<>();
    for (Entry e : group)
      if (e.layer().matches(pattern) && !site.isLayerName().test(e.layer())) scopes.add(e.layer());
    if (scopes.size() > 1)
      throw new KerasImportException(
          where,
          "weights are ambiguous: name scopes "
              + scopes
              + " in group '"
              + site.legacyGroup()
              + "'");
    List<Entry> out = new ArrayList<>();
    for (Entry e : group) if (scopes.contains(e.layer())) out.add(e);
    return out;
  }

  private static Dataset find(List<Entry> entries, String[] aliases, String where) {
    for (String a : aliases) for (Entry e : entries) if (e.var().equals(a)) return e.data();
    List<String> have = new ArrayList<>();
    for (Entry e : entries) have.add(e.var());
    throw new KerasImportException(
        where, "no weight named '" + aliases[0] + "' (has " + have + ")");
  }
}
