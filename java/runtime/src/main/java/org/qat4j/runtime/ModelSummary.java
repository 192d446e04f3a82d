package org.qat4j.runtime;

import java.util.List;

/**
 * What {@link TfliteModel} keeps from the Java-side check of the first subgraph: its tensor count,
 * operator names in model order (builtin names or custom codes; an immutable copy) and, per input,
 * how many table rows its values may index ({@code org.qat4j.tflite.IndexInputs}; −1 for no index
 * input). The operator count is derived from the names so the two cannot disagree.
 */
record ModelSummary(int tensorCount, List<String> operatorNames, int[] indexLimits) {
  ModelSummary {
    operatorNames = List.copyOf(operatorNames);
    indexLimits = indexLimits.clone();
  }

  /** The index limit of input {@code i}, or −1. */
  int indexLimit(int i) {
    return i >= 0 && i < indexLimits.length ? indexLimits[i] : -1;
  }

  int operatorCount() {
    return operatorNames.size();
  }
}
