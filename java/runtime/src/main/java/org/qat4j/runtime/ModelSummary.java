package org.qat4j.runtime;

import java.util.List;

/** What the Java-side check learnt about a model's first subgraph: tensor and operator counts, I/O indices, operator names. */
record ModelSummary(int tensorCount, int operatorCount, int[] inputs, int[] outputs, List<String> operatorNames,
    List<String> tensorNames) {
}
