package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.GRU;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * A Keras 2-style legacy HDF5 written here (no GRU among the shared fixtures): Conv1D (valid,
 * sigmoid) → AveragePooling1D → GRU (reset_after false, hard_sigmoid, sequences) → GRU (reset_after
 * true, two bias rows, sequences) → GlobalAveragePooling1D → Dense. Every weight lands bit-exact
 * and the float export on TFLite equals Model.predict.
 */
class KerasGruFileTest {
  private static final String CONFIG =
      "{\"class_name\": \"Sequential\", \"config\": ["
          + "{\"class_name\": \"Conv1D\", \"config\": {\"name\": \"conv1d_1\", \"filters\": 4,"
          + " \"kernel_size\": [3], \"strides\": [1], \"padding\": \"valid\", \"activation\": \"sigmoid\","
          + " \"use_bias\": true, \"batch_input_shape\": [null, 12, 2]}},"
          + "{\"class_name\": \"AveragePooling1D\", \"config\": {\"name\": \"avg_1\", \"pool_size\": [2],"
          + " \"strides\": [2], \"padding\": \"valid\"}},"
          + "{\"class_name\": \"GRU\", \"config\": {\"name\": \"gru_1\", \"units\": 3,"
          + " \"return_sequences\": true, \"recurrent_activation\": \"hard_sigmoid\", \"reset_after\": false}},"
          + "{\"class_name\": \"GRU\", \"config\": {\"name\": \"gru_2\", \"units\": 2,"
          + " \"return_sequences\": true, \"recurrent_activation\": \"sigmoid\", \"reset_after\": true}},"
          + "{\"class_name\": \"GlobalAveragePooling1D\", \"config\": {\"name\": \"gap_1\"}},"
          + "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", \"units\": 2,"
          + " \"activation\": \"linear\"}}]}";

  @TempDir Path tmp;

  private Path write() throws IOException {
    Path p = tmp.resolve("gru.h5");
    SplittableRandom r = new SplittableRandom(3);
    try (WritableHdfFile w = HdfFile.write(p)) {
      w.putAttribute("model_config", CONFIG);
      w.putAttribute("keras_version", "2.2.4");
      WritableGroup mw = w.putGroup("model_weights");
      // weightless layers left out (Keras lists them with an empty float64 weight_names)
      String[] layers = {"conv1d_1", "gru_1", "gru_2", "dense_1"};
      mw.putAttribute("layer_names", layers);
      layer(mw, "conv1d_1", new String[] {"kernel:0", "bias:0"}, rand(r, 3, 2, 4), rand(r, 4));
      String[] rnn = {"kernel:0", "recurrent_kernel:0", "bias:0"};
      layer(mw, "gru_1", rnn, rand(r, 4, 9), rand(r, 3, 9), rand(r, 9));
      layer(mw, "gru_2", rnn, rand(r, 3, 6), rand(r, 2, 6), rand(r, 2, 6));
      layer(mw, "dense_1", new String[] {"kernel:0", "bias:0"}, rand(r, 2, 2), rand(r, 2));
    }
    return p;
  }

  private static void layer(WritableGroup mw, String name, String[] vars, Object... values) {
    WritableGroup g = mw.putGroup(name).putGroup(name);
    String[] names = new String[vars.length];
    for (int i = 0; i < vars.length; i++) {
      g.putDataset(vars[i], values[i]);
      names[i] = name + "/" + vars[i];
    }
    ((WritableGroup) mw.getChild(name)).putAttribute("weight_names", names);
  }

  /** Uniform values in [-1, 1) as a float array of the given rank (1 to 3). */
  private static Object rand(SplittableRandom r, int... shape) {
    float[] flat = new float[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
    for (int i = 0; i < flat.length; i++) flat[i] = (float) (r.nextDouble() * 2 - 1);
    if (shape.length == 1) return flat;
    if (shape.length == 2) {
      float[][] a = new float[shape[0]][shape[1]];
      for (int i = 0; i < shape[0]; i++) System.arraycopy(flat, i * shape[1], a[i], 0, shape[1]);
      return a;
    }
    float[][][] a = new float[shape[0]][shape[1]][shape[2]];
    for (int i = 0; i < shape[0]; i++)
      for (int j = 0; j < shape[1]; j++)
        System.arraycopy(flat, (i * shape[1] + j) * shape[2], a[i][j], 0, shape[2]);
    return a;
  }

  @Test
  void gruModelImportsEveryWeightExactly() throws IOException {
    Path p = write();
    KerasImport r = KerasImporter.read(p);
    KerasFixturesTest.checkModel(p, r, 148, new int[] {12, 2, 1}, 2);
    GRU first = (GRU) r.model().node("gru_1").layer(),
        second = (GRU) r.model().node("gru_2").layer();
    assertTrue(!first.resetsAfter() && first.usesHardSigmoid(), "gru_1 settings");
    assertTrue(second.resetsAfter() && !second.usesHardSigmoid(), "gru_2 settings");
    assertArrayEquals(new int[] {2, 6}, second.bias().value().shape());
    assertArrayEquals(new int[] {5, 4}, r.model().node("avg_1_squeeze").shape());
  }

  @Tag("native")
  @Test
  void floatExportOnTfliteEqualsJavaForward() throws IOException {
    Model m = KerasImporter.read(write()).model();
    float[] x = (float[]) rand(new SplittableRandom(9), 24);
    float[] java = m.predict(Tensor.of(x.clone(), 1, 12, 2, 1)).toArray();
    try (TfliteModel t = TfliteModel.fromBytes(TfliteWriter.write(FloatLowering.lower(m)));
        Interpreter it = Interpreter.create(t)) {
      it.input(0).write(x);
      it.invoke();
      float[] tflite = it.output(0).readFloats();
      assertEquals(2, tflite.length);
      for (int i = 0; i < 2; i++)
        assertEquals(tflite[i], java[i], 1e-4 * Math.max(1e-3, Math.abs(tflite[i])), "output " + i);
    }
  }

  /**
   * The file's model through QAT (calibrated on 32 random sequences) → int8 export → verify: the
   * simulator equals TFLite BUILTIN bit for bit on 16 others; int8 vs fake-quant agree on top-1.
   */
  @Tag("native")
  @Test
  void quantizesToInt8AndVerifiesBitExact() throws IOException {
    Model m = KerasImporter.read(write()).model();
    QatModel q = Quantize.model(m);
    q.calibrate(List.of(Tensor.of((float[]) rand(new SplittableRandom(5), 32 * 24), 32, 12, 2, 1)));
    byte[] int8 = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    SplittableRandom r = new SplittableRandom(6);
    int[] labels = new int[16];
    for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(2);
    Dataset d = new Dataset((float[]) rand(r, 16 * 24), labels, new int[] {12, 2, 1}, 2);
    Verification.Report v =
        Verification.verify(q, int8, d, Verification.Options.defaults().withFloatModel(m));
    System.out.printf(
        "GRU file int8: bit-exact BUILTIN %.4f (max %d LSB), fake-quant vs int8 top-1 %.4f, max"
            + " %.2f output LSB%n",
        v.bitExactFractionBuiltin(), v.maxLsbBuiltin(), v.top1Agreement(), v.maxDiffOutputScale());
    assertEquals(1.0, v.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
  }
}
