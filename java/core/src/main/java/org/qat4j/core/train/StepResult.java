package org.qat4j.core.train;

/**
 * One finished training step: where it was (epoch and batch from 0, global step from 0), the batch
 * size, its mean loss, its top-1 hits and the learning rate that was applied.
 */
public record StepResult(
    int epoch, int batch, long globalStep, int size, double loss, int correct, double lr) {}
