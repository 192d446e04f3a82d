package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.qat4j.core.Model;
import org.qat4j.core.Shapes;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.LSTM;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Evaluation;
import org.qat4j.core.train.Trainer;
import org.qat4j.quant.lower.FloatLowering;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/**
 * The weights-only Keras 2.1.2 sequence fixtures with their architecture JSON: 10 (Embedding,
 * SpatialDropout1D, LSTM with hard_sigmoid, Dense) and 14 (Conv1D, MaxPooling1D, LSTM, Dense)
 * import with every weight bit-exact, and their float export run by TFLite equals Model.predict
 * (max |Δ| / max |TFLite| ≤ 1e-4, per element with a 1e-3 floor). Changed architectures are refused
 * clearly.
 */
class KerasSequenceTest {
  private static final double TOLERANCE = 1e-4;
  private static final String SENTIMENT = "10_sentiment_lstm_weightsonly_k212";
  private static final String ECG = "14_ecg_cnn_lstm_ae_weightsonly_k212";

  private static KerasImport read(String stem) throws IOException {
    return read(stem, false);
  }

  /** With {@code logits} the sentiment model's final softmax is left out (compared unsaturated). */
  private static KerasImport read(String stem, boolean logits) throws IOException {
    return KerasImporter.read(
        Fixtures.require(stem + ".h5"), Fixtures.require(stem + ".json"), logits);
  }

  @Test
  void sentimentLstmImportsEveryWeightExactly() throws IOException {
    KerasImport r = read(SENTIMENT);
    KerasFixturesTest.checkModel(Fixtures.require(SENTIMENT + ".h5"), r, 275270, new int[] {42}, 2);
    List<String> types = r.model().nodes().stream().map(n -> n.layer().type()).toList();
    assertEquals(
        List.of("Input", "Embedding", "SpatialDropout1D", "LSTM", "Dense", "Softmax"), types);
    assertTrue(
        ((LSTM) r.model().node("lstm_1").layer()).usesHardSigmoid(),
        "Keras 2.1's recurrent_activation hard_sigmoid");
  }

  @Test
  void ecgConvLstmImportsEveryWeightExactly() throws IOException {
    KerasImport r = read(ECG);
    KerasFixturesTest.checkModel(
        Fixtures.require(ECG + ".h5"), r, 97362, new int[] {210, 1, 1}, 210);
    assertArrayEquals(new int[] {1, 210, 256}, r.model().node("conv1d_1").shape());
    assertArrayEquals(new int[] {1, 52, 256}, r.model().node("max_pooling1d_1").shape());
  }

  /**
   * The imported sentiment model trains through time (Embedding, SpatialDropout1D, LSTM, Dense): 16
   * random sentences with random labels are fitted, which only works if every gradient flows.
   */
  @Test
  void importedSentimentLstmTrains() throws IOException {
    Model m = read(SENTIMENT, true).model();
    SplittableRandom r = new SplittableRandom(5);
    int n = 16;
    float[] x = new float[n * 42];
    int[] y = new int[n];
    for (int i = 0; i < x.length; i++) x[i] = r.nextInt(2329);
    for (int i = 0; i < n; i++) y[i] = r.nextInt(2);
    Dataset d = new Dataset(x, y, new int[] {42}, 2);
    Trainer t = new Trainer(m, new Adam(3e-3));
    double before = t.evaluate(d, n).loss();
    t.fit(d, null, 25, 8, 7);
    Evaluation after = t.evaluate(d, n);
    System.out.printf(
        "sentiment LSTM fit on 16 random sentences: loss %.4f -> %.4f, accuracy %.3f%n",
        before, after.loss(), after.accuracy());
    assertTrue(after.loss() < before / 2, "loss " + before + " -> " + after.loss());
    assertTrue(after.accuracy() >= 0.9, "training accuracy " + after.accuracy());
  }

  @Tag("native")
  @ParameterizedTest(name = "{0}")
  @CsvSource({SENTIMENT + ",2329", ECG + ",0"})
  void floatExportOnTfliteEqualsJavaForward(String stem, int vocabulary) throws IOException {
    Model m = read(stem, true).model();
    byte[] bytes = TfliteWriter.write(FloatLowering.lower(m));
    try (TfliteModel t = TfliteModel.fromBytes(bytes);
        Interpreter it = Interpreter.create(t)) {
      for (int sample = 0; sample < 3; sample++) {
        float[] x = input(m, vocabulary, sample);
        float[] java =
            m.predict(Tensor.of(x.clone(), Shapes.withBatch(1, m.inputShape()))).toArray();
        it.input(0).write(x);
        it.invoke();
        compare(stem + " sample " + sample, java, it.output(0).readFloats());
      }
      System.out.printf(
          "%s float export: %d bytes, %d operators%n",
          stem, bytes.length, FloatLowering.lower(m).ops().size());
    }
  }

  /** Token indices in [0, vocabulary), or a noisy periodic signal for the ECG autoencoder. */
  private static float[] input(Model m, int vocabulary, int seed) {
    SplittableRandom r = new SplittableRandom(100 + seed);
    float[] x = new float[Shapes.size(m.inputShape())];
    for (int i = 0; i < x.length; i++)
      x[i] =
          vocabulary > 0
              ? r.nextInt(vocabulary)
              : (float) (Math.sin(i * 0.3 + seed) + 0.1 * (r.nextDouble() - 0.5));
    return x;
  }

  private static void compare(String what, float[] java, float[] tflite) {
    assertEquals(tflite.length, java.length, what);
    double maxDiff = 0, maxRef = 0, maxElem = 0;
    for (int i = 0; i < java.length; i++) {
      double d = Math.abs(java[i] - tflite[i]);
      maxDiff = Math.max(maxDiff, d);
      maxRef = Math.max(maxRef, Math.abs(tflite[i]));
      maxElem = Math.max(maxElem, d / Math.max(Math.abs(tflite[i]), 1e-3));
    }
    double rel = maxDiff / maxRef;
    System.out.printf(
        "%s: max|Δ| %.3g, max|TFLite| %.4f, relative %.3g, per element %.3g%n",
        what, maxDiff, maxRef, rel, maxElem);
    assertTrue(rel <= TOLERANCE, what + ": relative difference " + rel);
    assertTrue(maxElem <= TOLERANCE, what + ": per-element relative difference " + maxElem);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        SENTIMENT + "|\"mask_zero\": false|\"mask_zero\": true|mask_zero=True is not supported",
        SENTIMENT
            + "|\"recurrent_activation\": \"hard_sigmoid\"|\"recurrent_activation\": \"relu\""
            + "|recurrent_activation 'relu' is not supported",
        SENTIMENT + "|\"go_backwards\": false|\"go_backwards\": true|go_backwards=True",
        ECG + "|\"padding\": \"same\"|\"padding\": \"causal\"|padding 'causal' is not supported",
      })
  void changedArchitecturesAreRefused(String stem, String from, String to, String expected)
      throws IOException {
    Path dir = Files.createTempDirectory("keras-seq");
    Path json = dir.resolve("arch.json");
    String text = Files.readString(Fixtures.require(stem + ".json"));
    assertTrue(text.contains(from), from);
    Files.writeString(json, text.replace(from, to));
    try {
      KerasImportException e =
          assertThrows(
              KerasImportException.class,
              () -> KerasImporter.read(Fixtures.require(stem + ".h5"), json, false));
      assertTrue(e.getMessage().contains(expected), e.getMessage());
    } finally {
      Files.delete(json);
      Files.delete(dir);
    }
  }
}
