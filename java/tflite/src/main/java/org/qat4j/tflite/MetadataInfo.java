package org.qat4j.tflite;

/**
 * One named metadata entry of a model (e.g. "min_runtime_version") and the size of its buffer in
 * bytes.
 */
public record MetadataInfo(String name, int buffer, long size) {}
