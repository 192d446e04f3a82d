package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code qat4j ptq}: post-training int8 quantization calibrated on data (or, explicitly, generated
 * inputs).
 */
@Command(
    name = "ptq",
    mixinStandardHelpOptions = true,
    description =
        "Post-training quantization: calibrate a float model on data and write a full-int8 .tflite.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j ptq --in cnn.q4j --out cnn-ptq.tflite",
      "  ./qat4j ptq --in cnn-float.tflite --calibration 500 --io uint8 --out cnn-ptq.tflite --json",
      "  ./qat4j ptq --in hello_world_float.tflite --data x.csv --out hello_world_int8.tflite",
      "  ./qat4j ptq --in zoo:mobilenet-v2 --calibration generated --out mnv2-int8.tflite   # no data: warns",
      "",
      "JSON fields: path, bytes, calibration_images, calibration_samples, calibration_data, calibration_source"
    })
final class PtqCommand extends BaseCommand {
  @Option(
      names = "--in",
      required = true,
      paramLabel = "FILE",
      description = "Saved float model, float .tflite, Keras file, or zoo:NAME.")
  String in;

  @Mixin DataOption data;

  @Mixin SparkOption spark;

  @Option(
      names = "--calibration",
      defaultValue = "500",
      paramLabel = "N|generated",
      description =
          "Calibrate on the first N samples of --data (default: ${DEFAULT-VALUE}), or on "
              + QuantSteps.GENERATED_CALIBRATION
              + " generated uniform [0, 1) inputs with 'generated' (warns).")
  String calibration;

  @Option(
      names = "--io",
      defaultValue = "int8",
      paramLabel = "TYPE",
      description = "Input/output type: float, int8, uint8 (default: ${DEFAULT-VALUE}).")
  Pipeline.IoType io;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE.tflite",
      description = "int8 .tflite to write.")
  Path out;

  @Override
  JsonObject execute() throws Exception {
    boolean generated = calibration.equalsIgnoreCase("generated");
    int n = generated ? QuantSteps.GENERATED_CALIBRATION : count(calibration);
    if (generated && data.data != null)
      throw CliException.usage(
          "--calibration generated: do not combine with --data (it calibrates on the data)");
    String model = Pipeline.modelArg(in, "--in", true);
    Path d = generated ? null : data.dir();
    Args.outFile(out, "--out");
    Outputs.notAnInput(out, "--out", in, "--in");
    Outputs.notData(out, "--out", d);
    if (generated) {
      info(
          "warning: calibrating on "
              + n
              + " generated uniform [0, 1) inputs, not on data: activation ranges may not match real inputs"
              + " and the int8 model may be far less accurate; pass --data to calibrate on real samples");
    }
    if (spark.on()) {
      spark.refuse(generated, "--calibration generated");
      return new QuantSteps(pipeline().withData(data))
          .ptqOnSpark(model, spark, data, d, n, io, out);
    }
    return pipeline().withData(data).ptq(model, d, n, io, out);
  }

  private static int count(String s) {
    int n;
    try {
      n = Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      throw CliException.usage(
          "--calibration: expected a sample count or 'generated', got '" + s + "'");
    }
    Args.positive(n, "--calibration");
    return n;
  }
}
