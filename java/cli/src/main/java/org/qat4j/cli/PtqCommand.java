package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qat4j ptq}: post-training int8 quantization with calibration images. */
@Command(name = "ptq", mixinStandardHelpOptions = true,
    description = "Post-training quantization: calibrate a float model and write a full-int8 .tflite.",
    footerHeading = "%nExamples:%n",
    footer = {"  ./qat4j ptq --in cnn.q4j --out cnn-ptq.tflite",
        "  ./qat4j ptq --in cnn-float.tflite --calibration 500 --io uint8 --out cnn-ptq.tflite --json",
        "  ./qat4j ptq --in zoo:mobilenet-v2 --out mnv2-int8.tflite     # generated calibration inputs",
        "", "JSON fields: path, bytes, calibration_images"})
final class PtqCommand extends BaseCommand {
  @Option(names = "--in", required = true, paramLabel = "FILE", description = "Saved float model, float .tflite, or zoo:NAME.")
  String in;

  @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST folder for calibration (default: /usr/share/datasets/fashion-mnist).")
  Path data;

  @Option(names = "--calibration", defaultValue = "500", paramLabel = "N", description = "Calibration images (default: ${DEFAULT-VALUE}).")
  int calibration;

  @Option(names = "--io", defaultValue = "int8", paramLabel = "TYPE", description = "Input/output type: float, int8, uint8 (default: ${DEFAULT-VALUE}).")
  Pipeline.IoType io;

  @Option(names = "--out", required = true, paramLabel = "FILE.tflite", description = "int8 .tflite to write.")
  Path out;

  @Override JsonObject execute() throws Exception {
    Args.positive(calibration, "--calibration");
    String model = Pipeline.modelArg(in, "--in", true);
    Path d = model.startsWith("zoo:") && data == null ? null : Args.dataDir(data, "--data");
    Args.outFile(out, "--out");
    Outputs.notAnInput(out, "--out", in, "--in");
    Outputs.notData(out, "--out", d);
    return pipeline().ptq(model, d, calibration, io, out);
  }
}
