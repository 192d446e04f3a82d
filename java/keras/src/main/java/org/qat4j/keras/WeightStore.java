package org.qat4j.keras;

import java.util.List;

/** Where a Keras file keeps the weights of its layers; one implementation per storage layout. */
interface WeightStore {
  /**
   * The variables of one layer in Keras creation order, looked up by the names in {@code names}
   * (legacy HDF5) or by position (the .keras layouts). An absent layer or variable is an error
   * naming the paths tried.
   */
  Var[] vars(LayerSite site, List<String[]> names);

  /** Layout name for messages, e.g. "legacy HDF5 model_weights". */
  String layout();
}
