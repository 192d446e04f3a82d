package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.qat4j.core.Model;
import org.qat4j.core.data.Dataset;
import org.qat4j.core.data.MultiDataset;
import org.qat4j.quant.QatModel;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.verify.Verification;

/**
 * {@code verify}: hands the model, its .tflite and the test set to the runtime's {@link
 * Verification} (TFLite BUILTIN and XNNPACK vs qat4j's integer simulator, fake-quant vs deployed
 * top-1, accuracies, per-layer SQNR) and adds the CLI's compatibility fields.
 */
final class Verify {
  static final int SQNR_IMAGES = 16;

  private final Pipeline p;

  Verify(Pipeline p) {
    this.p = p;
  }

  JsonObject run(String modelRef, Path tflite, Path data, int limit) throws IOException {
    Model floatModel;
    QatModel qat = null;
    if (QatFiles.isQatRef(modelRef)) {
      QatFiles.Loaded l = new QuantSteps(p).loadQat(Path.of(modelRef), "--model");
      floatModel = l.floatModel();
      qat = l.qat();
    } else {
      floatModel = Models.load(modelRef, 1L, "--model");
    }
    TfliteModelInfo info = Pipeline.readTflite(tflite, "--tflite");
    Finite.check(info, tflite, "--tflite");
    VerifyPair.check(floatModel, modelRef, info, tflite);
    boolean multi = MultiIo.applies(floatModel);
    MultiDataset tests = null;
    Dataset test = null;
    if (multi) {
      tests = new MultiIo(p).testSet(data, p.testData(), floatModel, limit);
      MultiIo.checkLabels(tests, floatModel, modelRef, "--model");
    } else {
      test = p.testSet(data, limit, floatModel.inputShape());
      Pipeline.checkOutputs(test, floatModel.outputShape(), modelRef, "--model");
      TokenIds.check(info.subgraph(0), test, p.testData() != null ? "--test-data" : "--data");
    }
    byte[] bytes = Files.readAllBytes(tflite);
    Verification.Options o =
        Verification.Options.defaults()
            .withFloatModel(floatModel)
            .withSqnrSamples(SQNR_IMAGES)
            .withIsolation(p.isolating());
    Verification.Report v;
    try (Progress bar =
        p.progress().create("verify (simulator, TFLite builtin + xnnpack, Java)", 1, "passes")) {
      if (multi)
        v =
            qat != null
                ? Verification.verify(qat, bytes, tests, o)
                : Verification.verify(floatModel, bytes, tests, o);
      else
        v =
            qat != null
                ? Verification.verify(qat, bytes, test, o)
                : Verification.verify(floatModel, bytes, test, o);
      bar.step(1);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(
          "--tflite: " + tflite + " does not fit the model: " + Main.oneLine(e));
    }
    JsonObject r = Json.GSON.toJsonTree(v.toMap()).getAsJsonObject();
    if (qat != null) {
      r.addProperty("top1_agreement_fake_quant", v.top1Agreement());
      r.addProperty(
          "reference",
          "QAT model (fake-quant) for top1_agreement; its float model for accuracy_float");
    } else {
      // No fake-quant model: the agreement that exists is float Java vs int8 TFLite.
      r.addProperty("top1_agreement", v.top1AgreementFloat());
      r.addProperty("reference", "float model for top1_agreement and accuracy_float");
    }
    com.google.gson.JsonArray warnings = new com.google.gson.JsonArray();
    String w = VerifyPair.agreementWarning(r.get("top1_agreement").getAsDouble(), modelRef, tflite);
    if (w != null) {
      warnings.add(w);
      p.info().accept("warning: " + w);
    }
    r.add("warnings", warnings);
    return r;
  }
}
