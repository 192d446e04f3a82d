package org.qat4j.examples;

import java.util.ArrayList;
import java.util.List;
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

/**
 * The README's Java example as a program of its own: float training, QAT, full-int8 export and one
 * inference on TFLite (XNNPACK), on a small slice of Fashion-MNIST. Built and run by {@code ./test}
 * against the installed qat4j artifacts; qat4j's {@code ReadmeExampleTest} checks that README.md
 * shows exactly the marked lines and runs {@link #run}.
 */
public final class QuickStart {
  private QuickStart() {}

  /** What the example produced: the QAT model, its int8 .tflite, the data and one prediction. */
  public record Result(QatModel qat, byte[] tflite, FashionMnist.Splits data, float[] logits) {}

  public static void main(String[] args) throws Exception {
    Result r = run();
    int best = 0;
    for (int k = 1; k < r.logits().length; k++) if (r.logits()[k] > r.logits()[best]) best = k;
    System.out.printf(
        "int8 .tflite: %d bytes; test image 0: predicted class %d, label %d%n",
        r.tflite().length, best, r.data().test().label(0));
  }

  /** Runs the README example. */
  public static Result run() throws Exception {
    // --- README example (README.md shows exactly these lines; ReadmeExampleTest checks it) ---
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
    float[] logits;
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
      logits = it.output(0).readReal(); // dequantized (logits: no softmax)
    }
    // --- end of README example ---
    return new Result(qat, tflite, data, logits);
  }
}
