package org.qat4j.keras;

import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.util.Arrays;

/** Small readers over jhdf: string attributes (fixed or variable length) and float32 datasets. */
final class H5 {
  private H5() {}

  /**
   * A string attribute's value, or null when absent; a one-element string array counts as a string.
   */
  static String stringAttr(Node node, String name, String file) {
    Attribute a = node.getAttribute(name);
    if (a == null) return null;
    Object d = a.isEmpty() ? null : a.getData();
    if (d == null) return null;
    if (d instanceof String s) return s;
    if (d instanceof String[] arr && arr.length == 1) return arr[0];
    throw new KerasImportException(
        file,
        "HDF5 attribute '"
            + node.getPath()
            + "@"
            + name
            + "' is not a string but "
            + d.getClass().getSimpleName());
  }

  /**
   * A string-array attribute (Keras's layer_names / weight_names); an empty numeric array means
   * none.
   */
  static String[] stringsAttr(Node node, String name, String file) {
    Attribute a = node.getAttribute(name);
    if (a == null) return null;
    Object d = a.isEmpty() ? null : a.getData();
    // a layer without weights stores an empty (null-dataspace) array
    if (d == null) return new String[0];
    if (d instanceof String[] arr) return arr;
    if (d instanceof String s) return new String[] {s};
    if (d.getClass().isArray() && java.lang.reflect.Array.getLength(d) == 0) return new String[0];
    throw new KerasImportException(
        file,
        "HDF5 attribute '"
            + node.getPath()
            + "@"
            + name
            + "' is not a list of strings but "
            + d.getClass().getSimpleName());
  }

  /** The float32 values of a dataset, row-major, with its shape; other types are refused. */
  static Var floats(Dataset d, String file) {
    Object flat;
    try {
      flat = d.getDataFlat();
    } catch (RuntimeException e) {
      throw new KerasImportException(
          file, "cannot read HDF5 dataset '" + d.getPath() + "': " + e.getMessage(), e);
    }
    if (!(flat instanceof float[] f)) {
      throw new KerasImportException(
          file,
          "HDF5 dataset '"
              + d.getPath()
              + "' holds "
              + d.getJavaType().getSimpleName()
              + ", not float32 weights");
    }
    int[] shape = d.isScalar() ? new int[0] : d.getDimensions();
    long n = 1;
    for (int s : shape) n *= s;
    if (n != f.length)
      throw new KerasImportException(
          file,
          "HDF5 dataset '"
              + d.getPath()
              + "' has shape "
              + Arrays.toString(shape)
              + " but "
              + f.length
              + " values");
    return new Var(f, shape, d.getPath());
  }
}
