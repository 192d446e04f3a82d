package org.qat4j.keras;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * Reads one dataset of a fixture straight through jhdf (a .keras zip's model.weights.h5 or a plain
 * .h5), independent of the importer.
 */
final class H5Values {
  private H5Values() {}

  static float[] read(Path file, String datasetPath) throws IOException {
    try (HdfFile h5 = open(file)) {
      Dataset d = h5.getDatasetByPath(datasetPath);
      return (float[]) d.getDataFlat();
    }
  }

  static HdfFile open(Path file) throws IOException {
    if (!file.toString().endsWith(".keras")) return new HdfFile(file);
    try (ZipFile z = new ZipFile(file.toFile())) {
      return HdfFile.fromBytes(z.getInputStream(z.getEntry("model.weights.h5")).readAllBytes());
    }
  }
}
