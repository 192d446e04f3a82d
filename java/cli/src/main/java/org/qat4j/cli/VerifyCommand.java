package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code qat4j verify}: the int8 .tflite in TFLite vs qat4j's integer simulator and the float
 * model.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Verify an int8 .tflite: bit-exactness vs the integer simulator (BUILTIN, XNNPACK), agreement with the float model, accuracies.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j verify --model cnn-qat.q4j --tflite cnn-int8.tflite",
      "  ./qat4j verify --model cnn-qat.q4j --tflite cnn-int8.tflite --limit 1000 --json",
      "  ./qat4j verify --tflite mobilenet_v2_1.0_224_quant.tflite --json      # any int8/uint8 model",
      "  ./qat4j verify --tflite model_int8.tflite --reference model_float.tflite --data images/ --json",
      "  ./qat4j verify --model cnn-qat.q4j --tflite downloaded.tflite --isolate",
      "",
      "JSON fields: bit_exact_fraction_builtin, max_lsb_builtin, bit_exact_fraction_xnnpack, max_lsb_xnnpack,",
      "             top1_agreement, accuracy_float, accuracy_int8, count",
      "Exit code 1 when max_lsb_builtin > --max-lsb, or with --strict on a warning; the reasons are in failures[].",
      "A .tflite whose weighted operators differ from the model's is refused (exit 2)."
    })
final class VerifyCommand extends BaseCommand {
  @Option(
      names = "--model",
      paramLabel = "FILE",
      description =
          "The saved (QAT or float) model the .tflite came from; without it any int8/uint8 .tflite is checked on its own.")
  String model;

  @Option(
      names = "--tflite",
      required = true,
      paramLabel = "FILE.tflite",
      description = "The exported int8 .tflite.")
  Path tflite;

  @Mixin DataOption data;

  @Mixin IsolateOption isolation;

  @Mixin SparkOption spark;

  @Option(
      names = "--reference",
      paramLabel = "REF.tflite",
      description =
          "Without --model: a .tflite to compare outputs with, e.g. the float original (top1_agreement, output_sqnr_db[]).")
  Path reference;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "Use only the first N test images (0 = all 10000).")
  int limit;

  @Option(
      names = "--max-lsb",
      defaultValue = "1",
      description =
          "Tolerated |Δ| in LSB vs the simulator on BUILTIN before failing (default: ${DEFAULT-VALUE}).")
  int maxLsb;

  @Option(
      names = "--strict",
      description =
          "Exit 1 on any warning (e.g. a top-1 agreement so low the pair may not belong together).")
  boolean strict;

  @Override
  JsonObject execute() throws Exception {
    if (maxLsb < 0)
      throw CliException.usage(
          "--max-lsb: must be >= 0, got "
              + maxLsb
              + " (it is the largest tolerated |difference| in output steps; 0 demands bit-exactness)");
    if (spark.on()) return onSpark();
    if (model == null) return verifyAlone();
    if (reference != null)
      throw CliException.usage(
          "--reference: only without --model (a qat4j model is its own reference)");
    String m = Pipeline.modelArg(model, "--model", false);
    Args.tfliteFile(tflite, "--tflite");
    Args.nonNegative(limit, "--limit");
    Path d = data.dir();
    return pipeline().withData(data).isolated(isolation.isolate).verify(m, tflite, d, limit);
  }

  /** Without --model: the .tflite alone against the simulator ({@link TfliteVerify}). */
  private JsonObject verifyAlone() throws java.io.IOException {
    Args.tfliteFile(tflite, "--tflite");
    Args.nonNegative(limit, "--limit");
    if (reference != null) Args.tfliteFile(reference, "--reference");
    Path d = data.data == null ? null : data.dir();
    return new TfliteVerify(pipeline().withData(data)).run(tflite, d, limit, reference);
  }

  /** The .tflite alone vs the simulator, the test set split over Spark tasks (docs/SCALE.md). */
  private JsonObject onSpark() throws java.io.IOException {
    spark.refuse(isolation.isolate, "--isolate");
    spark.refuse(model != null, "--model (the distributed check is the .tflite vs the simulator)");
    spark.refuse(reference != null, "--reference");
    Args.tfliteFile(tflite, "--tflite");
    Args.nonNegative(limit, "--limit");
    Path d = data.testData != null ? DataOption.exists(data.testData, "--test-data") : data.dir();
    return SparkOption.scaleOut().verify(spark.job(data, d, limit, null), tflite);
  }

  @Override
  int exitCodeFor(JsonObject r) {
    com.google.gson.JsonArray failures = new com.google.gson.JsonArray();
    if (r.has("max_lsb_builtin") && r.get("max_lsb_builtin").getAsInt() > maxLsb) {
      failures.add(
          "max_lsb_builtin "
              + r.get("max_lsb_builtin").getAsInt()
              + " > --max-lsb "
              + maxLsb
              + ": TFLite BUILTIN differs from qat4j's integer simulator by more than tolerated");
    }
    if (strict && r.has("warnings"))
      for (var w : r.getAsJsonArray("warnings")) failures.add("--strict: " + w.getAsString());
    if (failures.isEmpty()) return CliException.OK;
    r.add("failures", failures);
    for (var f : failures)
      spec.commandLine().getErr().println(spec.qualifiedName() + ": failed: " + f.getAsString());
    return CliException.FAILED;
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    Human.verify(r, out);
  }
}
