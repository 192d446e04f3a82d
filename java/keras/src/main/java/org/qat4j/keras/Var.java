package org.qat4j.keras;

/** One stored weight array: row-major float32 values, shape, and the HDF5 path it came from. */
record Var(float[] values, int[] shape, String path) {}
