package org.qat4j.keras;

import java.util.List;
import java.util.Map;
import org.qat4j.core.Model;

/**
 * The result of a Keras import: the float qat4j model (NHWC, batch first; the caller owns it), the
 * storage layout and Keras version the file declared, where each parameter's values came from
 * ("layer/param" → HDF5 dataset path, in graph order), and the Keras layers marked {@code
 * trainable=False} (informational: qat4j trains every imported parameter).
 */
public record KerasImport(
    Model model,
    String layout,
    String kerasVersion,
    Map<String, String> weightSources,
    List<String> frozenLayers) {
  public KerasImport {
    weightSources =
        java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(weightSources));
    frozenLayers = List.copyOf(frozenLayers);
  }
}
