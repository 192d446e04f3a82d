package org.qat4j.runtime.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.runtime.Backend;
import org.qat4j.runtime.Interpreter;
import org.qat4j.runtime.TfliteModel;
import org.qat4j.tflite.TfliteWriter;

/** The Java API example of the README, run on a small slice of Fashion-MNIST so it stays true. */
@Tag("native")
class ReadmeExampleTest {
  @Test
  void readmeExampleRuns() throws Exception {
    assumeTrue(FashionMnist.available(), "Fashion-MNIST not installed at " + FashionMnist.defaultDir());
    FashionMnist.Splits full = FashionMnist.load();
    FashionMnist.Splits data = new FashionMnist.Splits(full.train().subset(0, 2048), full.test().subset(0, 256));

    // --- README example (keep in sync with README.md) ---
    Model model = Zoo.referenceCnn(42);                                   // or build your own with Sequential
    new Trainer(model, new Adam(1e-3)).fit(data.train(), data.test(), 1, 64, 42);

    QatModel qat = Quantize.model(model);                                 // fake-quant, per-channel, BN folding
    qat.calibrate(images(data.train(), 8));                               // ranges from data, not ±6
    new Trainer(qat.model(), new Adam(1e-4)).fit(data.train(), data.test(), 1, 64, 7);   // QAT fine-tune

    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, Int8Lowering.IoType.INT8));
    try (TfliteModel m = TfliteModel.fromBytes(tflite);
         Interpreter it = Interpreter.create(m, Interpreter.Options.builder().backend(Backend.XNNPACK).threads(1).build())) {
      it.input(0).writeReal(data.test().sample(0));                          // quantized with the model's own params
      it.invoke();
      float[] probs = it.output(0).readReal();                                   // dequantized logits
      // --- end of README example ---
      assertEquals(10, probs.length);
      // The deployed int8 model agrees with what training simulated (fake-quant Java forward).
      int agree = 0;
      for (int i = 0; i < 20; i++) {
        float[] x = data.test().sample(i);
        it.input(0).writeReal(x);
        it.invoke();
        agree += argmax(it.output(0).readReal()) == argmax(qat.model().predict(Tensor.of(x, 1, 28, 28, 1)).toArray()) ? 1 : 0;
      }
      assertTrue(agree >= 19, "int8 TFLite agreed with the fake-quant model on " + agree + "/20");
    }
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
    return best;
  }

  private static List<Tensor> images(Dataset d, int batches) {
    List<Tensor> out = new ArrayList<>();
    for (Batch b : d.batches(64, false, 0)) {
      if (out.size() == batches) break;
      out.add(b.images().copy());
    }
    return out;
  }
}
