package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Param;
import org.qat4j.core.layers.GRU;
import org.qat4j.core.layers.LSTM;

/**
 * Keras 3 `.keras` files keep an LSTM's or GRU's weights in the layer's cell ({@code
 * layers/lstm/cell/vars/0..2}: kernel, recurrent kernel, bias), the layer's own {@code vars} group
 * empty. No shared fixture is a Keras 3 recurrent model and Python Keras is not installed here, so
 * this file is written with jhdf from that documented layout: InputLayer [5, 3] → LSTM(4,
 * sequences) → GRU(3, reset_after, two bias rows) → Dense(2). Every weight must land bit-exact. So
 * must a legacy .h5's, whose weight names carry the cell's scope.
 */
class Keras3RecurrentTest {
  private static final String DTYPE =
      "\"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\":"
          + " \"float32\"}, \"registered_name\": null}";
  private static final String CONFIG =
      "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\","
          + " \"trainable\": true, "
          + DTYPE
          + ", \"layers\": ["
          + "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\":"
          + " {\"batch_shape\": [null, 5, 3], \"dtype\": \"float32\", \"sparse\": false,"
          + " \"name\": \"input_layer\"}, \"registered_name\": null},"
          + layer(
              "LSTM",
              "lstm",
              "\"units\": 4, \"return_sequences\": true, \"unit_forget_bias\": true")
          + ","
          + layer("GRU", "gru", "\"units\": 3, \"return_sequences\": false, \"reset_after\": true")
          + ","
          + "{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\","
          + " \"trainable\": true, "
          + DTYPE
          + ", \"units\": 2, \"activation\": \"linear\", \"use_bias\": true}, \"registered_name\": null}"
          + "], \"build_input_shape\": [null, 5, 3]}, \"registered_name\": null}";

  private static String layer(String cls, String name, String extra) {
    return "{\"module\": \"keras.layers\", \"class_name\": \""
        + cls
        + "\", \"config\": {\"name\": \""
        + name
        + "\", \"trainable\": true, "
        + DTYPE
        + ", \"return_state\": false, \"go_backwards\": false, \"stateful\": false,"
        + " \"unroll\": false, \"zero_output_for_mask\": false, \"activation\": \"tanh\","
        + " \"recurrent_activation\": \"sigmoid\", \"use_bias\": true, \"dropout\": 0.0,"
        + " \"recurrent_dropout\": 0.0, \"seed\": null, "
        + extra
        + "}, \"registered_name\": null, \"build_config\": {\"input_shape\": [null, 5, 3]}}";
  }

  @TempDir Path tmp;

  private final SplittableRandom r = new SplittableRandom(11);
  private final float[][] lstmKernel = (float[][]) LegacyFile.rand(r, 3, 16),
      lstmRecurrent = (float[][]) LegacyFile.rand(r, 4, 16);
  private final float[] lstmBias = (float[]) LegacyFile.rand(r, 16);
  private final float[][] gruKernel = (float[][]) LegacyFile.rand(r, 4, 9),
      gruRecurrent = (float[][]) LegacyFile.rand(r, 3, 9),
      gruBias = (float[][]) LegacyFile.rand(r, 2, 9),
      denseKernel = (float[][]) LegacyFile.rand(r, 3, 2);
  private final float[] denseBias = (float[]) LegacyFile.rand(r, 2);

  /** model.weights.h5 in Keras 3's layout (an optimizer group too, which is never read). */
  private byte[] weights() throws Exception {
    Path p = tmp.resolve("w.h5");
    try (WritableHdfFile f = HdfFile.write(p)) {
      WritableGroup layers = f.putGroup("layers");
      rnn(layers.putGroup("lstm"), lstmKernel, lstmRecurrent, lstmBias);
      rnn(layers.putGroup("gru"), gruKernel, gruRecurrent, gruBias);
      WritableGroup dense = layers.putGroup("dense").putGroup("vars");
      dense.putDataset("0", denseKernel);
      dense.putDataset("1", denseBias);
      f.putGroup("optimizer").putGroup("vars");
    }
    return Files.readAllBytes(p);
  }

  /** The RNN layer's own empty vars group and its cell's kernel, recurrent kernel, bias. */
  private static void rnn(WritableGroup g, Object... w) {
    g.putGroup("vars");
    WritableGroup vars = g.putGroup("cell").putGroup("vars");
    for (int i = 0; i < w.length; i++) vars.putDataset(Integer.toString(i), w[i]);
  }

  private Path keras(String name, String config) throws Exception {
    Path p = tmp.resolve(name);
    try (OutputStream o = Files.newOutputStream(p);
        ZipOutputStream z = new ZipOutputStream(o)) {
      entry(z, "metadata.json", "{\"keras_version\": \"3.4.1\"}".getBytes(StandardCharsets.UTF_8));
      entry(z, "config.json", config.getBytes(StandardCharsets.UTF_8));
      entry(z, "model.weights.h5", weights());
    }
    return p;
  }

  private static void entry(ZipOutputStream z, String name, byte[] b) throws Exception {
    z.putNextEntry(new ZipEntry(name));
    z.write(b);
    z.closeEntry();
  }

  @Test
  void cellWeightsLandBitExact() throws Exception {
    KerasImport imp = KerasImporter.read(keras("rnn.keras", CONFIG));
    Model m = imp.model();
    assertArrayEquals(new int[] {2}, m.outputShape());
    LSTM lstm = (LSTM) m.node("lstm").layer();
    GRU gru = (GRU) m.node("gru").layer();
    assertTrue(gru.resetsAfter() && !gru.usesHardSigmoid(), "gru settings");
    same(lstmKernel, lstm.kernel());
    same(lstmRecurrent, lstm.recurrentKernel());
    same(new float[][] {lstmBias}, lstm.bias());
    same(gruKernel, gru.kernel());
    same(gruRecurrent, gru.recurrentKernel());
    same(gruBias, gru.bias());
    assertEquals(
        "/layers/lstm/cell/vars/0", imp.weightSources().get("lstm/" + lstm.kernel().name()));
    assertEquals("/layers/gru/cell/vars/2", imp.weightSources().get("gru/" + gru.bias().name()));
    assertEquals("3.4.1", imp.kerasVersion());
  }

  /** Keras 3's hard_sigmoid is relu6(x + 3) / 6, which qat4j's recurrent gates do not compute. */
  @Test
  void keras3HardSigmoidGatesAreRefused() throws Exception {
    String hard =
        CONFIG.replaceFirst(
            "\"recurrent_activation\": \"sigmoid\"", "\"recurrent_activation\": \"hard_sigmoid\"");
    Path q = keras("hard.keras", hard);
    KerasImportException e = assertThrows(KerasImportException.class, () -> KerasImporter.read(q));
    assertTrue(
        e.getMessage().contains("layer 'lstm' (LSTM): recurrent_activation 'hard_sigmoid'"),
        e.getMessage());
  }

  /**
   * The legacy .h5 that Keras 3 (and tf.keras 2 inside a nested model) writes names an RNN's
   * weights by its cell's scope, {@code inner/lstm/lstm_cell/kernel}: they belong to layer lstm.
   */
  @Test
  void legacyCellScopesInsideANestedModelBelongToTheirLayer() throws Exception {
    KerasImport imp = KerasImporter.read(nestedLegacy(tmp.resolve("nested.h5")));
    LSTM lstm = (LSTM) imp.model().node("lstm").layer();
    same(lstmKernel, lstm.kernel());
    same(lstmRecurrent, lstm.recurrentKernel());
    same(new float[][] {lstmBias}, lstm.bias());
    assertEquals(
        "/model_weights/inner/inner/lstm/lstm_cell/bias",
        imp.weightSources().get("lstm/" + lstm.bias().name()));
  }

  /** Sequential outer [Sequential inner [InputLayer, LSTM], Dense] in legacy HDF5. */
  private Path nestedLegacy(Path p) {
    String inner =
        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"inner\","
            + " \"layers\": [{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 5,"
            + " 3], \"name\": \"inner_input\"}},"
            + layer("LSTM", "lstm", "\"units\": 4, \"return_sequences\": false")
            + "]}}";
    String config =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"outer\", \"layers\": ["
            + inner
            + ", {\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 2}}]}}";
    try (WritableHdfFile f = HdfFile.write(p)) {
      f.putAttribute("model_config", config);
      f.putAttribute("keras_version", "3.4.1");
      WritableGroup mw = f.putGroup("model_weights");
      mw.putAttribute("layer_names", new String[] {"inner", "dense"});
      WritableGroup g = mw.putGroup("inner");
      WritableGroup cell = g.putGroup("inner").putGroup("lstm").putGroup("lstm_cell");
      cell.putDataset("kernel", lstmKernel);
      cell.putDataset("recurrent_kernel", lstmRecurrent);
      cell.putDataset("bias", lstmBias);
      String scope = "inner/lstm/lstm_cell/";
      g.putAttribute(
          "weight_names",
          new String[] {scope + "kernel", scope + "recurrent_kernel", scope + "bias"});
      WritableGroup d = mw.putGroup("dense");
      WritableGroup ds = d.putGroup("dense");
      ds.putDataset("kernel", (float[][]) LegacyFile.rand(r, 4, 2));
      ds.putDataset("bias", denseBias);
      d.putAttribute("weight_names", new String[] {"dense/kernel", "dense/bias"});
    }
    return p;
  }

  private static void same(float[][] want, Param p) {
    float[] flat = new float[want.length * want[0].length];
    for (int i = 0; i < want.length; i++)
      System.arraycopy(want[i], 0, flat, i * want[i].length, want[i].length);
    assertArrayEquals(flat, p.value().toArray(), 0f, p.name());
  }
}
