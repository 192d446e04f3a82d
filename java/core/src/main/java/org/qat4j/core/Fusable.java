package org.qat4j.core;

/**
 * A layer outside core (e.g. a QAT conv block) that can absorb the layer right after it in training
 * passes: {@link Model} consults it for every pair in which the layer feeds only the next one,
 * besides core's own fusions. The layers stay in the model; inference and export run them apart.
 */
public interface Fusable {
  /** The fusion of this layer with {@code next} (span 2), or null when it cannot apply. */
  TrainingFusion fuseNext(Layer next);
}
