package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qat4j export}: write a saved (float or QAT) model or a zoo architecture as .tflite. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Export a saved model (float or QAT) or zoo:NAME to a float or full-int8 .tflite.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j export --in cnn.q4j --format float --out cnn-float.tflite",
      "  ./qat4j export --in cnn-qat.q4j --format int8 --io int8 --out cnn-int8.tflite --json",
      "  ./qat4j export --in zoo:mobilenet-v2 --format int8 --io uint8 --out mnv2.tflite",
      "",
      "JSON fields: path, bytes, format, io"
    })
final class ExportCommand extends BaseCommand {
  enum Format {
    FLOAT,
    INT8;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Option(
      names = "--in",
      required = true,
      paramLabel = "FILE|zoo:NAME",
      description = "Saved model or zoo:NAME.")
  String in;

  @Option(
      names = "--format",
      required = true,
      paramLabel = "FORMAT",
      description = "float or int8.")
  Format format;

  @Option(
      names = "--io",
      paramLabel = "TYPE",
      description =
          "Input/output type: float, int8, uint8 (default: float for float models, int8 for int8).")
  Pipeline.IoType io;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.tflite",
      description = ".tflite to write.")
  Path out;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed for zoo weights and calibration inputs (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  JsonObject execute() throws Exception {
    String model = Pipeline.modelArg(in, "--in", false);
    Pipeline.IoType ioType =
        io != null ? io : format == Format.FLOAT ? Pipeline.IoType.FLOAT : Pipeline.IoType.INT8;
    if (format == Format.FLOAT && ioType != Pipeline.IoType.FLOAT) {
      throw CliException.usage(
          "--io " + ioType + " needs --format int8 (a float model has float inputs and outputs)");
    }
    Args.outFile(out, "--out");
    Outputs.notAnInput(out, "--out", in, "--in");
    return pipeline().export(model, format == Format.INT8, ioType, seed, out);
  }
}
