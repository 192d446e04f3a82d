package org.qat4j.runtime.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.GlobalAveragePooling2D;
import org.qat4j.core.layers.Reshape;
import org.qat4j.core.layers.SpatialDropout1D;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.ir.DType;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.tflite.TfliteReader;
import org.qat4j.tflite.TfliteWriter;
import org.qat4j.verify.Verification;

/**
 * Token classifiers (Embedding → SpatialDropout1D → Flatten or average over time → Dense) trained,
 * QAT-fine-tuned, exported full int8 with an INT32 token input, and verified: TFLite BUILTIN equals
 * the simulator bit for bit (XNNPACK equals the simulator's XNNPACK mode); bad token ids are
 * refused naming the sample.
 */
@Tag("native")
class EmbeddingVerificationTest {
  static final int VOCAB = 300, STEPS = 8, TRAIN = 1000, N = 96;

  /** Token ids uniform over the vocabulary. */
  static float[] tokens(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * STEPS];
    for (int i = 0; i < x.length; i++) x[i] = r.nextInt(VOCAB);
    return x;
  }

  /** The label says whether most of a sample's tokens are in the upper half of the vocabulary. */
  static Dataset data(float[] x) {
    int n = x.length / STEPS;
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      int high = 0;
      for (int t = 0; t < STEPS; t++) if (x[i * STEPS + t] >= VOCAB / 2f) high++;
      y[i] = high > STEPS / 2 ? 1 : 0;
    }
    return new Dataset(x, y, new int[] {STEPS}, 2);
  }

  static Model flatten() {
    GraphBuilder b = new GraphBuilder(5);
    Node e = b.add(new Embedding("emb", VOCAB, 6), b.input("tokens", STEPS));
    Node d = b.add(new SpatialDropout1D("drop", 0.2f), e);
    return b.build(b.add(new Dense("out", 2), b.add(new Flatten("flat"), d)));
  }

  /**
   * Average over time: Reshape [T, 1, D] then GlobalAveragePooling2D (MEAN at the table's params).
   */
  static Model average() {
    GraphBuilder b = new GraphBuilder(5);
    Node e = b.add(new Embedding("emb", VOCAB, 6), b.input("tokens", STEPS));
    Node d = b.add(new SpatialDropout1D("drop", 0.2f), e);
    Node g = b.add(new GlobalAveragePooling2D("avg"), b.add(new Reshape("seq", STEPS, 1, 6), d));
    return b.build(b.add(new Dense("out", 2), g));
  }

  /** Float training, QAT from min/max ranges, QAT fine-tuning; returns the QAT model. */
  static QatModel trained(Model f, float[] x) {
    Dataset train = data(x);
    new Trainer(f, new Adam(1e-2)).fit(train, null, 6, 16, 1);
    QatModel q = Quantize.model(f);
    q.calibrate(List.of(Tensor.of(x, TRAIN, STEPS)));
    new Trainer(q.model(), new Adam(1e-3)).fit(train, null, 2, 16, 2);
    return q;
  }

  private static void bitExact(Model f) {
    QatModel q = trained(f, tokens(1, TRAIN));
    Dataset test = data(tokens(2, N));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.INT8));
    var in = TfliteReader.read(tflite).subgraph(0);
    assertEquals(DType.INT32, in.tensor(in.inputs()[0]).dtype(), "token ids stay INT32");
    Verification.Report r = Verification.verify(q, tflite, test);
    assertEquals(1.0, r.bitExactFractionBuiltin(), "BUILTIN vs simulator: " + r);
    assertEquals(0, r.maxLsbBuiltin());
    assertEquals(1.0, r.bitExactFractionXnnpackF32Sim(), "XNNPACK vs its simulator: " + r);
    assertTrue(r.maxLsbXnnpack() <= 1, "XNNPACK's float requantization: " + r);
    assertTrue(r.top1Agreement() >= 0.95, "fake-quant vs int8 top-1: " + r.top1Agreement());
    // the majority class alone scores about 0.64 (5+ of 8 fair coins: 0.36)
    assertTrue(r.accuracyInt8() >= 0.85, "the int8 model learned the rule: " + r.accuracyInt8());
  }

  @Test
  void flattenedTokensClassifyBitExactly() {
    bitExact(flatten());
  }

  @Test
  void timeAveragedTokensClassifyBitExactly() {
    bitExact(average());
  }

  @Test
  void tokenIdsOutsideTheVocabularyAreRefusedNamingTheSample() {
    float[] train = tokens(1, N);
    QatModel q = Quantize.model(flatten());
    q.calibrate(List.of(Tensor.of(train, N, STEPS)));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(q, DType.FLOAT32));
    for (float bad : new float[] {VOCAB, -1f, 2.5f}) {
      float[] x = train.clone();
      x[3 * STEPS + 5] = bad;
      Dataset d = data(x);
      var e = assertThrows(IllegalArgumentException.class, () -> Verification.verify(q, tflite, d));
      assertTrue(
          e.getMessage().contains("input 'tokens' of sample 3")
              && e.getMessage().contains("element 5")
              && (bad == 2.5f
                  ? e.getMessage().contains("not a whole number")
                  : e.getMessage().contains("outside [0, " + VOCAB + ")")),
          e.getMessage());
    }
  }
}
