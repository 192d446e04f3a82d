package org.qat4j.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Where a leaf Keras layer sits in its (possibly nested) model: its name and class, its path in the
 * Keras 3 / tf.keras 2.15 layout ({@code layers/<class_snake>[_n]}), in the tf.keras 2.13/2.14
 * layout ({@code _layer_checkpoint_dependencies/<name>}), and the top-level group holding it in a
 * legacy HDF5 file; {@code isLayerName} tells whether a name belongs to some layer of the file.
 */
record LayerSite(
    String name,
    String className,
    List<String> snakePath,
    List<String> namePath,
    String legacyGroup,
    Predicate<String> isLayerName) {
  static List<String> child(List<String> parent, String container, String leaf) {
    List<String> l = new ArrayList<>(parent);
    l.add(container);
    l.add(leaf);
    return List.copyOf(l);
  }
}
