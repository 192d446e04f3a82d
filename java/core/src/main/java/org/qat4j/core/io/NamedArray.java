package org.qat4j.core.io;

import java.util.Arrays;
import org.qat4j.core.Shapes;

/** A named float32 array with its shape, as stored in a weights file. */
public record NamedArray(String name, int[] shape, float[] data) {
  public NamedArray {
    if (Shapes.size(shape) != data.length) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "': shape "
              + Arrays.toString(shape)
              + " does not hold "
              + data.length
              + " values");
    }
    shape = shape.clone();
  }
}
