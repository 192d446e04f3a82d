package org.qat4j.quant.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.qat4j.core.ExecContext;
import org.qat4j.core.GradientCheck;
import org.qat4j.core.GraphBuilder;
import org.qat4j.core.Model;
import org.qat4j.core.Node;
import org.qat4j.core.Tensor;
import org.qat4j.core.layers.Concatenate;
import org.qat4j.core.layers.Dense;
import org.qat4j.core.layers.Embedding;
import org.qat4j.core.layers.Flatten;
import org.qat4j.core.layers.ReLU;
import org.qat4j.core.layers.SpatialDropout1D;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.QuantizeRegistry;
import org.qat4j.quant.Treatment;
import org.qat4j.quant.UnsupportedLayersException;
import org.qat4j.quant.quantizers.FakeQuant;
import org.qat4j.quant.quantizers.FakeQuantizer;

/**
 * The QAT path of Embedding: the table fake-quantized per tensor (symmetric, narrow range), the
 * output's range is the table quantizer, the index input stays unquantized, gradients through the
 * fake-quant (finite differences with it off, the straight-through mask with it on), and the
 * layouts QAT refuses.
 */
class QatEmbeddingTest {
  static final int VOCAB = 12, STEPS = 5, WIDTH = 4;

  /** tokens [5] → Embedding(12, 4) → SpatialDropout1D → Flatten → Dense(3). */
  static Model model() {
    GraphBuilder b = new GraphBuilder(7);
    Node e = b.add(new Embedding("emb", VOCAB, WIDTH), b.input("tokens", STEPS));
    Node d = b.add(new SpatialDropout1D("drop", 0.2f), e);
    return b.build(b.add(new Dense("out", 3), b.add(new Flatten("flat"), d)));
  }

  static Tensor tokens(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    Tensor t = Tensor.zeros(n, STEPS);
    for (int i = 0; i < t.size(); i++) t.set(i, r.nextInt(VOCAB));
    return t;
  }

  private static QuantizeWrapper table(QatModel q) {
    return assertInstanceOf(QuantizeWrapper.class, q.model().node("emb").layer());
  }

  @Test
  void tableIsFakeQuantizedPerTensorAndDefinesTheOutputRange() {
    QuantizeRegistry.Row row = QuantizeRegistry.defaults().row("Embedding");
    assertEquals(Treatment.TABLE_LOOKUP, row.treatment());
    QatModel q = Quantize.model(model());
    QuantizeWrapper w = table(q);
    assertNull(w.outputQuantizer(), "GATHER copies table codes: no output quantizer");
    FakeQuantizer t = w.weightQuantizers().get("embeddings");
    assertTrue(t.rule().symmetric() && t.rule().narrowRange() && !t.rule().perAxis(), "" + t);
    assertEquals(8, t.rule().numBits());
    assertSame(t, q.rangeOf("emb"));
    assertSame(t, q.rangeOf("flat"), "pass-through layers keep the table's params");
    Node in = q.model().inputs().get(0);
    assertEquals(
        1, q.model().consumers(in).size(), "indices reach the table without an input quantizer");
    assertSame(w, q.model().consumers(in).get(0).layer());
    assertNull(q.rangeOf("tokens"));
  }

  @Test
  void qatOutputIsTheFakeQuantizedTableRows() {
    QatModel q = Quantize.model(model());
    q.calibrate(List.of(tokens(1, 8)));
    QuantizeWrapper w = table(q);
    FakeQuant.Nudged g = w.weightQuantizers().get("embeddings").grids()[0];
    float max = 0;
    float[] latent = w.latent("embeddings").value().toArray();
    for (float v : latent) max = Math.max(max, Math.abs(v));
    assertEquals(max / 127f, g.scale(), 1e-6f * max, "symmetric narrow: scale = max|w| / 127");
    Tensor x = tokens(2, 3);
    Tensor y = w.forward(new Tensor[] {x}, ExecContext.inference());
    for (int i = 0; i < x.size(); i++) {
      int row = (int) x.get(i);
      for (int j = 0; j < WIDTH; j++) {
        float want = FakeQuant.quantizeVars(latent[row * WIDTH + j], g);
        assertEquals(want, y.get(i * WIDTH + j), 0f, "token " + i + " column " + j);
      }
    }
  }

  @Test
  void gradientsWithFakeQuantOffMatchFiniteDifferences() {
    QuantizeWrapper w = table(Quantize.model(model()));
    w.weightQuantizers().get("embeddings").setEnabled(false);
    var r = GradientCheck.check(w, new Tensor[] {tokens(3, 2)}, 1e-2, 48, 5);
    assertTrue(r.maxRelError() < 1e-2, r.toString());
  }

  @Test
  void gradientsWithFakeQuantOnPassOnlyInsideTheRange() {
    QuantizeWrapper w = table(Quantize.model(model()));
    FakeQuantizer t = w.weightQuantizers().get("embeddings");
    t.setObserving(false);
    t.setRange(new float[] {-0.02f}, new float[] {0.02f}); // the table is U(-0.05, 0.05): clips
    Tensor x = tokens(4, 3);
    ExecContext ctx = ExecContext.training(1);
    w.forward(new Tensor[] {x}, ctx);
    Tensor gy = GradientCheck.random(new SplittableRandom(9), 3, STEPS, WIDTH);
    assertNull(w.backward(gy, ctx)[0], "indices have no gradient");
    float[] want = new float[VOCAB * WIDTH];
    for (int i = 0; i < x.size(); i++)
      for (int j = 0; j < WIDTH; j++) want[(int) x.get(i) * WIDTH + j] += gy.get(i * WIDTH + j);
    FakeQuant.Nudged g = t.grids()[0];
    Tensor latent = w.latent("embeddings").value(), grad = w.latent("embeddings").grad();
    int clipped = 0, passed = 0;
    for (int k = 0; k < want.length; k++) {
      boolean inside = FakeQuant.passes(latent.get(k), g);
      if (!inside) clipped++;
      else if (want[k] != 0f) passed++;
      assertEquals(inside ? want[k] : 0f, grad.get(k), 1e-6f, "table entry " + k);
    }
    assertTrue(clipped > 0 && passed > 0, "needs clipped and passed entries");
  }

  @Test
  void refusesIndicesThatAreNotAModelInput() {
    GraphBuilder b = new GraphBuilder(7);
    Node r = b.add(new ReLU("relu"), b.input("tokens", STEPS));
    Model m = b.build(b.add(new Flatten("flat"), b.add(new Embedding("emb", VOCAB, WIDTH), r)));
    var e = assertThrows(UnsupportedLayersException.class, () -> Quantize.model(m));
    assertTrue(
        e.getMessage().contains("'emb' (Embedding)")
            && e.getMessage().contains("'relu'")
            && e.getMessage().contains("INT32 model input"),
        e.getMessage());
  }

  @Test
  void refusesAnIndexInputThatFeedsOtherLayers() {
    GraphBuilder b = new GraphBuilder(7);
    Node in = b.input("tokens", STEPS);
    Node e = b.add(new Flatten("flat"), b.add(new Embedding("emb", VOCAB, WIDTH), in));
    Model m = b.build(b.add(new Concatenate("cat"), e, b.add(new Dense("d", 2), in)));
    var ex = assertThrows(UnsupportedLayersException.class, () -> Quantize.model(m));
    assertTrue(
        ex.getMessage().contains("'tokens'") && ex.getMessage().contains("lookup tables only"),
        ex.getMessage());
  }

  @Test
  void aConcatenateAfterTheTableLeavesTheTableQuantizerOn() {
    GraphBuilder b = new GraphBuilder(7);
    Node in = b.input("tokens", STEPS);
    Node a = b.add(new Embedding("emb", VOCAB, WIDTH), in);
    Node c = b.add(new Embedding("emb2", VOCAB, 2), in);
    QatModel q = Quantize.model(b.build(b.add(new Concatenate("cat"), a, c)));
    FakeQuantizer t = table(q).weightQuantizers().get("embeddings");
    assertTrue(t.enabled());
    assertSame(t, q.rangeOf("emb"));
    assertFalse(q.rangeOf("cat") == t);
  }
}
