package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;

/**
 * Keras Cropping2D, Rescaling, Resizing and Normalization imported from legacy HDF5 files written
 * here with jhdf, checked against the arithmetic Keras documents, computed by hand.
 */
class KerasPreprocessingTest {
  @TempDir Path tmp;

  /** A Sequential of one layer {@code cls} with {@code config} on input [h, w, c]. */
  private Path one(String cls, String config, int h, int w, int c) throws IOException {
    String cfg =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": [{\"class_name\":"
            + " \""
            + cls
            + "\", \"config\": {\"name\": \"l\", "
            + config
            + ", \"batch_input_shape\": [null, "
            + h
            + ", "
            + w
            + ", "
            + c
            + "]}}]}}";
    Path p = tmp.resolve(cls + ".h5");
    try (WritableHdfFile f = HdfFile.write(p)) {
      f.putAttribute("model_config", cfg);
      f.putAttribute("keras_version", "2.2.4");
      WritableGroup mw = f.putGroup("model_weights");
      mw.putAttribute("layer_names", new String[] {"l"});
      // jhdf cannot write an empty string array: the group names one unused dataset
      WritableGroup g = mw.putGroup("l");
      g.putDataset("unused:0", new float[] {0f});
      g.putAttribute("weight_names", new String[] {"unused:0"});
    }
    return p;
  }

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = i;
    return v;
  }

  @Test
  void cropping2dKeepsTheWindow() throws IOException {
    Model m =
        KerasImporter.read(one("Cropping2D", "\"cropping\": [[1, 0], [0, 2]]", 3, 4, 1)).model();
    assertArrayEquals(new int[] {2, 2, 1}, m.outputShape());
    float[] got = m.predict(Tensor.of(ramp(12), 1, 3, 4, 1)).toArray();
    assertArrayEquals(new float[] {4, 5, 8, 9}, got, 0f);
    Model s = KerasImporter.read(one("Cropping2D", "\"cropping\": 1", 3, 4, 1)).model();
    assertArrayEquals(new float[] {5, 6}, s.predict(Tensor.of(ramp(12), 1, 3, 4, 1)).toArray());
  }

  @Test
  void croppingEverythingIsRefused() throws IOException {
    Path p = one("Cropping2D", "\"cropping\": [[2, 1], [0, 0]]", 3, 4, 1);
    var e = assertThrows(KerasImportException.class, () -> KerasImporter.read(p));
    assertTrue(e.getMessage().contains("'l'"), e.getMessage());
  }
}
