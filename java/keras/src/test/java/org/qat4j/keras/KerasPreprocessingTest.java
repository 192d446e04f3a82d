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
    return one(cls, config, h, w, c, new String[] {"unused:0"}, new float[][] {{0f}});
  }

  /** As above with the layer's weights {@code names} (without scope) holding {@code values}. */
  private Path one(String cls, String config, int h, int w, int c, String[] names, float[][] values)
      throws IOException {
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
      // jhdf cannot write an empty string array: a layer without weights names an unused one
      WritableGroup g = mw.putGroup("l");
      WritableGroup scope = g.putGroup("l");
      String[] full = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        scope.putDataset(names[i], values[i]);
        full[i] = "l/" + names[i];
      }
      g.putAttribute("weight_names", full);
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

  @Test
  void rescalingScalesAndOffsets() throws IOException {
    Model m =
        KerasImporter.read(one("Rescaling", "\"scale\": 0.5, \"offset\": -1.0", 1, 2, 1)).model();
    float[] got = m.predict(Tensor.of(new float[] {4f, -2f}, 1, 1, 2, 1)).toArray();
    assertArrayEquals(new float[] {1f, -2f}, got, 1e-6f);
    Path list = one("Rescaling", "\"scale\": [0.5, 2.0]", 1, 2, 1);
    assertThrows(KerasImportException.class, () -> KerasImporter.read(list)); // 2 values, 1 channel
  }

  /** Keras 3 lists: per channel of the last axis (also nested as (1, 1, C)); others refused. */
  @Test
  void rescalingPerChannelLists() throws IOException {
    Path p = one("Rescaling", "\"scale\": [0.5, 2.0], \"offset\": [[[1.0, -1.0]]]", 1, 2, 2);
    float[] got = KerasImporter.read(p).model().predict(Tensor.of(ramp(4), 1, 1, 2, 2)).toArray();
    assertArrayEquals(new float[] {1f, 1f, 2f, 5f}, got, 0f);
    String[][] refused = {
      {"\"scale\": [[0.5], [2.0]]", "scale [[0.5],[2.0]] does not broadcast along the last axis"},
      {"\"scale\": [0.5, 2.0, 3.0]", "scale [0.5,2.0,3.0] does not broadcast along the last axis"},
    };
    for (String[] r : refused) {
      Path q = one("Rescaling", r[0], 1, 2, 2);
      KerasImportException e =
          assertThrows(KerasImportException.class, () -> KerasImporter.read(q));
      assertTrue(e.getMessage().contains("layer 'l' (Rescaling): " + r[1]), e.getMessage());
    }
  }

  /**
   * axis None (one mean and variance), a tuple keeping the last axis and axes of size 1 (per
   * channel), and one keeping another axis (per element: Keras's row-major statistics over the kept
   * axes, broadcast); statistics of the wrong count are refused.
   */
  @Test
  void normalizationAxes() throws IOException {
    Path none = one("Normalization", "\"axis\": null, \"mean\": 2.0, \"variance\": 4.0", 1, 2, 2);
    float[] n = KerasImporter.read(none).model().predict(Tensor.of(ramp(4), 1, 1, 2, 2)).toArray();
    assertArrayEquals(new float[] {-1f, -0.5f, 0f, 0.5f}, n, 1e-6f);
    String[] names = {"mean:0", "variance:0", "count:0"};
    float[][] w = {{1f, -2f}, {4f, 0.25f}, {10f}};
    Path tuple = one("Normalization", "\"axis\": [1, 3]", 1, 2, 2, names, w);
    float[] t = KerasImporter.read(tuple).model().predict(Tensor.of(ramp(4), 1, 1, 2, 2)).toArray();
    assertArrayEquals(new float[] {-0.5f, 6f, 0.5f, 10f}, t, 1e-6f);
    float[][] wc = {{1f, -2f, 0f, 3f}, {4f, 0.25f, 1f, 16f}, {10f}};
    Path cols = one("Normalization", "\"axis\": [2, -1]", 1, 2, 2, names, wc);
    float[] e = KerasImporter.read(cols).model().predict(Tensor.of(ramp(4), 1, 1, 2, 2)).toArray();
    assertArrayEquals(new float[] {-0.5f, 6f, 2f, 0f}, e, 1e-6f);
    Path rows = one("Normalization", "\"axis\": [2, -1]", 1, 2, 2, names, w);
    KerasImportException x =
        assertThrows(KerasImportException.class, () -> KerasImporter.read(rows));
    assertTrue(
        x.getMessage()
            .contains("layer 'l' (Normalization): mean has 2 values, the kept axes hold 4"),
        x.getMessage());
  }

  @Test
  void normalizationReadsItsAdaptedWeights() throws IOException {
    String[] names = {"mean:0", "variance:0", "count:0"};
    float[][] w = {{1f, -2f}, {4f, 0.25f}, {10f}};
    Model m = KerasImporter.read(one("Normalization", "\"axis\": [-1]", 1, 2, 2, names, w)).model();
    float[] got = m.predict(Tensor.of(new float[] {3f, 0f, -1f, -1f}, 1, 1, 2, 2)).toArray();
    assertArrayEquals(new float[] {1f, 4f, -1f, 2f}, got, 1e-6f);
    Path cfg = one("Normalization", "\"axis\": -1, \"mean\": 2.0, \"variance\": 16.0", 1, 1, 2);
    float[] c =
        KerasImporter.read(cfg)
            .model()
            .predict(Tensor.of(new float[] {6f, 0f}, 1, 1, 1, 2))
            .toArray();
    assertArrayEquals(new float[] {1f, -0.5f}, c, 1e-6f);
    Path inv =
        one(
            "Normalization",
            "\"axis\": -1, \"invert\": true, \"mean\": 0, \"variance\": 1",
            1,
            1,
            2);
    assertThrows(KerasImportException.class, () -> KerasImporter.read(inv));
  }

  @Test
  void resizingBilinearAndNearestWithHalfPixelCentres() throws IOException {
    float[] row = {0f, 6f, 12f, 18f};
    String bil = "\"height\": 1, \"width\": 3, \"interpolation\": \"bilinear\"";
    Model b = KerasImporter.read(one("Resizing", bil, 1, 4, 1)).model();
    assertArrayEquals(
        new float[] {1f, 9f, 17f}, b.predict(Tensor.of(row, 1, 1, 4, 1)).toArray(), 1e-5f);
    String near = "\"height\": 1, \"width\": 3, \"interpolation\": \"nearest\"";
    Model n = KerasImporter.read(one("Resizing", near, 1, 4, 1)).model();
    assertArrayEquals(new float[] {0f, 12f, 18f}, n.predict(Tensor.of(row, 1, 1, 4, 1)).toArray());
    Path crop = one("Resizing", bil + ", \"crop_to_aspect_ratio\": true", 1, 4, 1);
    assertThrows(KerasImportException.class, () -> KerasImporter.read(crop));
    Path cubic =
        one("Resizing", "\"height\": 2, \"width\": 2, \"interpolation\": \"bicubic\"", 1, 4, 1);
    assertThrows(KerasImportException.class, () -> KerasImporter.read(cubic));
  }
}
