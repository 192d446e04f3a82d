package org.qat4j.runtime.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.qat4j.core.Model;
import org.qat4j.core.Tensor;
import org.qat4j.core.data.Batch;
import org.qat4j.core.data.FashionMnist;
import org.qat4j.core.train.Adam;
import org.qat4j.core.train.Trainer;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.ir.DType;
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
  private static final String BEGIN = "// --- README example";
  private static final String END = "// --- end of README example";

  @Test
  void readmeExampleRuns() throws Exception {
    assumeTrue(
        FashionMnist.available(), "Fashion-MNIST not installed at " + FashionMnist.defaultDir());
    // --- README example (README.md shows exactly these lines; readmeShowsThisCode checks it) ---
    FashionMnist.Splits all = FashionMnist.load(); // /usr/share/datasets/fashion-mnist
    FashionMnist.Splits data =
        new FashionMnist.Splits(all.train().subset(0, 2048), all.test().subset(0, 256));
    Model model = Zoo.referenceCnn(42); // or new Sequential(...) / GraphBuilder
    new Trainer(model, new Adam(1e-3)).fit(data.train(), data.test(), 1, 64, 42);

    QatModel qat = Quantize.model(model); // fake-quant, per-channel, BN folding
    List<Tensor> batches = new ArrayList<>();
    for (Batch b : data.train().batches(64, false, 0)) {
      if (batches.size() < 8) batches.add(b.images().copy());
    }
    qat.calibrate(batches); // ranges from 8 batches, not ±6
    new Trainer(qat.model(), new Adam(1e-4))
        .fit(data.train(), data.test(), 1, 64, 7); // QAT fine-tune

    byte[] tflite = TfliteWriter.write(Int8Lowering.lower(qat, DType.INT8)); // int8 model, int8 I/O
    float[] probs;
    try (TfliteModel m = TfliteModel.fromBytes(tflite);
        Interpreter it =
            Interpreter.create(
                m,
                Interpreter.Options.builder()
                    .backend(Backend.XNNPACK)
                    .threads(1)
                    .build())) { // BUILTIN, XNNPACK, NNAPI, EDGETPU
      it.input(0).writeReal(data.test().sample(0)); // quantized with the model's own params
      it.invoke();
      probs = it.output(0).readReal(); // dequantized
    }
    // --- end of README example ---
    assertEquals(10, probs.length);
    // The deployed int8 model agrees with what training simulated (fake-quant Java forward).
    try (TfliteModel m = TfliteModel.fromBytes(tflite);
        Interpreter it = Interpreter.create(m)) {
      int agree = 0;
      for (int i = 0; i < 20; i++) {
        float[] x = data.test().sample(i);
        it.input(0).writeReal(x);
        it.invoke();
        agree +=
            argmax(it.output(0).readReal())
                    == argmax(qat.model().predict(Tensor.of(x, 1, 28, 28, 1)).toArray())
                ? 1
                : 0;
      }
      assertTrue(agree >= 19, "int8 TFLite agreed with the fake-quant model on " + agree + "/20");
    }
  }

  /**
   * README.md's Java block is the marked part of {@link #readmeExampleRuns}, line for line (indent
   * removed).
   */
  @Test
  void readmeShowsThisCode() throws Exception {
    Path readme = Path.of("../../README.md");
    assumeTrue(Files.exists(readme), "README.md not found at " + readme.toAbsolutePath());
    List<String> src =
        Files.readAllLines(
            Path.of("src/test/java/org/qat4j/runtime/example/ReadmeExampleTest.java"));
    List<String> marked = new ArrayList<>();
    boolean in = false;
    for (String l : src) {
      String t = l.strip();
      if (t.startsWith(END)) break;
      if (in) marked.add(l.length() >= 4 ? l.substring(4) : l.strip());
      if (t.startsWith(BEGIN) && !t.contains("\"")) in = true;
    }
    List<String> md = Files.readAllLines(readme);
    int start = md.indexOf("## The Java API in twenty lines");
    assertTrue(start >= 0, "README has no '## The Java API in twenty lines' section");
    int open = md.subList(start, md.size()).indexOf("```java") + start + 1;
    int close = md.subList(open, md.size()).indexOf("```") + open;
    assertEquals(
        marked, md.subList(open, close), "README.md's Java example differs from ReadmeExampleTest");
  }

  private static int argmax(float[] v) {
    int best = 0;
    for (int k = 1; k < v.length; k++) if (v[k] > v[best]) best = k;
    return best;
  }
}
