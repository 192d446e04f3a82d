package org.qat4j.runtime;

import java.util.List;

/**
 * What {@link TfliteModel} keeps from the Java-side check of the first subgraph: its tensor count
 * and operator names in model order (builtin names or custom codes; an immutable copy). The
 * operator count is derived from the names so the two cannot disagree.
 */
record ModelSummary(int tensorCount, List<String> operatorNames) {
  ModelSummary {
    operatorNames = List.copyOf(operatorNames);
  }

  int operatorCount() {
    return operatorNames.size();
  }
}
