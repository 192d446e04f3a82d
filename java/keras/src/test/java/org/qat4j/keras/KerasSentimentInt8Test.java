package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.SubgraphInfo;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Fixture 10 (Keras 2.1.2: Embedding(2329, 100) → SpatialDropout1D → LSTM(64, hard_sigmoid) → Dense
 * softmax) through QAT and a full-int8 export: the token ids stay an INT32 input [1, 42], the table
 * an int8 GATHER; TFLite BUILTIN equals the simulator bit for bit on random sentences, and a token
 * id past the vocabulary is refused naming the sample.
 */
@Tag("native")
class KerasSentimentInt8Test {
  private static final String SENTIMENT = "10_sentiment_lstm_weightsonly_k212";
  private static final int VOCAB = 2329, STEPS = 42, N = 24;

  private static Model model() throws IOException {
    return KerasImporter.read(
            Fixtures.require(SENTIMENT + ".h5"), Fixtures.require(SENTIMENT + ".json"), false)
        .model();
  }

  /** Random sentences (the fixture comes without its data set) with random labels. */
  private static Dataset sentences(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[N * STEPS];
    int[] y = new int[N];
    for (int i = 0; i < x.length; i++) x[i] = r.nextInt(VOCAB);
    for (int i = 0; i < N; i++) y[i] = r.nextInt(2);
    return new Dataset(x, y, new int[] {STEPS}, 2);
  }

  private static float[] values(Dataset d) {
    float[] x = new float[d.size() * STEPS];
    for (int i = 0; i < d.size(); i++) System.arraycopy(d.sample(i), 0, x, i * STEPS, STEPS);
    return x;
  }

  private static QatModel qat() throws IOException {
    Dataset train = sentences(1);
    QatModel q = Quantize.model(model());
    q.calibrate(List.of(Tensor.of(values(train), N, STEPS)));
    new Trainer(q.model(), new Adam(1e-4)).fit(train, null, 1, 8, 3);
    return q;
  }

  @Test
  void int8ExportIsBitExactOnBuiltin() throws IOException {
    QatModel q = qat();
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    SubgraphInfo g = TfliteReader.read(tflite).subgraph(0);
    assertEquals(DType.INT32, g.tensor(g.inputs()[0]).dtype(), "token ids stay INT32");
    assertArrayEquals(new int[] {1, STEPS}, g.tensor(g.inputs()[0]).shape());
    Verification.Report r = Verification.verify(q, tflite, sentences(2));
    System.out.printf(
        "fixture 10 int8: %d bytes, %d operators, BUILTIN bit-exact %.4f (max %d LSB),"
            + " XNNPACK vs its simulator %.4f, top-1 agreement with fake-quant %.3f%n",
        tflite.length,
        g.operators().size(),
        r.bitExactFractionBuiltin(),
        r.maxLsbBuiltin(),
        r.bitExactFractionXnnpackF32Sim(),
        r.top1Agreement());
    assertEquals(1.0, r.bitExactFractionBuiltin(), "BUILTIN vs simulator: " + r);
    assertEquals(0, r.maxLsbBuiltin());
    assertTrue(r.top1Agreement() >= 0.9, "fake-quant vs int8 top-1 " + r.top1Agreement());
  }

  @Test
  void aTokenIdPastTheVocabularyIsRefused() throws IOException {
    QatModel q = qat();
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    float[] x = values(sentences(2));
    x[5 * STEPS + 7] = VOCAB;
    Dataset bad = new Dataset(x, new int[N], new int[] {STEPS}, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> Verification.verify(q, tflite, bad));
    assertTrue(
        e.getMessage().contains("sample 5")
            && e.getMessage().contains("element 7")
            && e.getMessage().contains("outside [0, " + VOCAB + ")"),
        e.getMessage());
  }
}
