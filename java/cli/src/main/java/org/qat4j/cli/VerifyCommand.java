package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qat4j verify}: the int8 .tflite in TFLite vs qat4j's integer simulator and the float model. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Verify an int8 .tflite: bit-exactness vs the integer simulator (BUILTIN, XNNPACK), agreement with the float model, accuracies.",
    footerHeading = "%nExamples:%n",
    footer = {"  ./qat4j verify --model cnn-qat.q4j --tflite cnn-int8.tflite",
        "  ./qat4j verify --model cnn-qat.q4j --tflite cnn-int8.tflite --limit 1000 --json",
        "", "JSON fields: bit_exact_fraction_builtin, max_lsb_builtin, bit_exact_fraction_xnnpack, max_lsb_xnnpack,",
        "             top1_agreement, accuracy_float, accuracy_int8, count",
        "Exit code 1 when max_lsb_builtin > --max-lsb."})
final class VerifyCommand extends BaseCommand {
  @Option(names = "--model", required = true, paramLabel = "FILE", description = "The saved (QAT or float) model the .tflite came from.")
  String model;

  @Option(names = "--tflite", required = true, paramLabel = "FILE.tflite", description = "The exported int8 .tflite.")
  Path tflite;

  @Mixin DataOption data;

  @Option(names = "--limit", defaultValue = "0", description = "Use only the first N test images (0 = all 10000).")
  int limit;

  @Option(names = "--max-lsb", defaultValue = "1", description = "Tolerated |Δ| in LSB vs the simulator on BUILTIN before failing (default: ${DEFAULT-VALUE}).")
  int maxLsb;

  @Override JsonObject execute() throws Exception {
    String m = Pipeline.modelArg(model, "--model", false);
    Args.tfliteFile(tflite, "--tflite");
    Args.nonNegative(limit, "--limit");
    Path d = data.dir();
    return pipeline().withData(data).verify(m, tflite, d, limit);
  }

  @Override int exitCodeFor(JsonObject r) {
    return r.has("max_lsb_builtin") && r.get("max_lsb_builtin").getAsInt() > maxLsb ? CliException.FAILED : CliException.OK;
  }
}
