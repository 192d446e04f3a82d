package org.qat4j.core.train;

/** Mean loss and top-1 accuracy over {@code count} samples. */
public record Evaluation(double loss, double accuracy, int count) {}
