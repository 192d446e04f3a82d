package org.qat4j.keras;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
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
import org.qat4j.core.train.Evaluation;
import org.qat4j.core.train.Trainer;
import org.qat4j.quant.QatModel;
import org.qat4j.quant.Quantize;
import org.qat4j.quant.lower.Int8Lowering;
import org.qat4j.runtime.verify.Verification;
import org.qat4j.tflite.TfliteWriter;

/** Imported Keras models are ordinary qat4j models: they evaluate, train, quantize, export and verify. */
class KerasTrainQuantTest {
  private static FashionMnist.Splits data() throws IOException {
    assumeTrue(FashionMnist.available(), "Fashion-MNIST not installed (" + FashionMnist.defaultDir() + "), skipping");
    return FashionMnist.load();
  }

  @Test
  void fashionModelsClassifyTheTestSet() throws IOException {
    Dataset test = data().test();
    for (String file : new String[] {"01_fashion_cnn_k341.keras", "02_fashion_mlp_nested_tfk214.keras"}) {
      Model m = KerasImporter.read(Fixtures.require(file), true).model();
      Evaluation e = new Trainer(m, new Adam(1e-3)).evaluate(test, 250);
      System.out.printf("%s: Fashion-MNIST test accuracy %.4f (%d images), loss %.4f%n", file, e.accuracy(), e.count(), e.loss());
      // neither author states an accuracy; a wrongly read weight or layout gives chance level (0.10)
      assertTrue(e.accuracy() > 0.85, file + ": accuracy " + e.accuracy());
    }
  }

  @Test
  void oneTrainingStepLowersTheLossOnItsBatch() throws IOException {
    Dataset batch = data().train().subset(0, 64);
    Model m = KerasImporter.read(Fixtures.require("01_fashion_cnn_k341.keras"), true).model();
    Trainer t = new Trainer(m, new Adam(1e-4));
    double before = t.evaluate(batch, 64).loss();
    t.fit(batch, null, 1, 64, 1);
    assertEquals(1, t.globalStep());
    double after = t.evaluate(batch, 64).loss();
    System.out.printf("01_fashion_cnn_k341.keras: loss on the batch %.5f -> %.5f after one Adam(1e-4) step%n", before, after);
    assertTrue(after < before, "loss " + before + " -> " + after);
  }

  @Test
  @Tag("native")
  void quantizesExportsInt8AndVerifiesBitExact() throws IOException {
    FashionMnist.Splits d = data();
    Model m = KerasImporter.read(Fixtures.require("01_fashion_cnn_k341.keras"), true).model();
    QatModel qat = Quantize.model(m);
    qat.calibrate(images(d.train(), 8));
    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, Int8Lowering.IoType.INT8));
    Verification.Report r = Verification.verify(qat, tflite, d.test().subset(0, 500), Verification.Options.defaults().withFloatModel(m));
    System.out.printf("01_fashion_cnn_k341.keras int8: bit-exact BUILTIN %.4f, top-1 agreement %.4f, accuracy float %.4f int8 %.4f (500 images)%n",
        r.bitExactFractionBuiltin(), r.top1Agreement(), r.accuracyFloat(), r.accuracyInt8());
    assertEquals(1.0, r.bitExactFractionBuiltin(), "simulator vs TFLite BUILTIN");
    assertTrue(r.accuracyInt8() >= r.accuracyFloat() - 0.02, "int8 " + r.accuracyInt8() + " vs float " + r.accuracyFloat());
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
