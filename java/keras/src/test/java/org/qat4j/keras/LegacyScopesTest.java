package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Legacy HDF5 files written here with jhdf in Keras 2.0's layout: a nested model's weights lie flat
 * in its group, and a TensorFlow name scope may have renamed layer "dense_1" to "dense_1_1".
 */
class LegacyScopesTest {
  private static final String CONFIG =
      "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Sequential\", \"config\": "
          + "{\"name\": \"inner\", \"layers\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 2, "
          + "\"activation\": \"relu\", \"batch_input_shape\": [null, 3]}}, {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_2\", "
          + "\"units\": 2, \"activation\": \"linear\"}}]}}]}";
  private static final float[][] K1 = {{1f, -2f}, {0.5f, 3f}, {-1f, 0.25f}};
  private static final float[] B1 = {0.125f, -0.5f};
  private static final float[][] K2 = {{2f, 0f}, {-1f, 1f}};
  private static final float[] B2 = {0f, 1f};

  @TempDir Path tmp;

  private Path write(String... scopes) throws IOException {
    Path p = tmp.resolve("nested.h5");
    try (WritableHdfFile w = HdfFile.write(p)) {
      w.putAttribute("model_config", CONFIG);
      w.putAttribute("keras_version", "2.0.5");
      WritableGroup mw = w.putGroup("model_weights");
      mw.putAttribute("layer_names", new String[] {"inner"});
      WritableGroup inner = mw.putGroup("inner");
      String[] names = new String[4 * scopes.length];
      for (int s = 0; s < scopes.length; s++) {
        WritableGroup d1 = inner.putGroup(scopes[s]);
        d1.putDataset("kernel:0", K1);
        d1.putDataset("bias:0", B1);
        names[4 * s] = scopes[s] + "/kernel:0";
        names[4 * s + 1] = scopes[s] + "/bias:0";
        names[4 * s + 2] = "dense_2/kernel:0";
        names[4 * s + 3] = "dense_2/bias:0";
      }
      WritableGroup d2 = inner.putGroup("dense_2");
      d2.putDataset("kernel:0", K2);
      d2.putDataset("bias:0", B2);
      inner.putAttribute(
          "weight_names",
          scopes.length == 1
              ? names
              : new String[] {names[0], names[1], names[4], names[5], names[2], names[3]});
    }
    return p;
  }

  @Test
  void renamedScopeInsideANestedModelIsFound() throws IOException {
    KerasImport r = KerasImporter.read(write("dense_1_1"));
    Model m = r.model();
    assertEquals(
        "/model_weights/inner/dense_1_1/kernel:0", r.weightSources().get("dense_1/kernel"));
    // x·K1 + B1 → relu → ·K2 + B2, by hand: x = (1, 2, 3)
    float h0 = Math.max(0f, 1f * 1f + 2f * 0.5f + 3f * -1f + 0.125f),
        h1 = Math.max(0f, 1f * -2f + 2f * 3f + 3f * 0.25f - 0.5f);
    float[] want = {h0 * 2f + h1 * -1f, h0 * 0f + h1 * 1f + 1f};
    assertArrayEquals(want, m.predict(Tensor.of(new float[] {1f, 2f, 3f}, 1, 3)).toArray(), 1e-6f);
  }

  @Test
  void twoCandidateScopesAreRefused() throws IOException {
    Path p = write("dense_1_1", "dense_1_2");
    KerasImportException e = assertThrows(KerasImportException.class, () -> KerasImporter.read(p));
    assertTrue(
        e.getMessage().contains("layer 'dense_1' (Dense): weights are ambiguous"), e.getMessage());
  }
}
