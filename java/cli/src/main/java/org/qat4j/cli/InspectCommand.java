package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code qat4j inspect}: operators and tensors (with quantization) of a .tflite file. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description =
        "List the operators and tensors (type, shape, scale, zero point) of a .tflite model.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j inspect cnn-int8.tflite",
      "  ./qat4j inspect cnn-int8.tflite --json | jq '.operators[].op'",
      "",
      "JSON fields: bytes, subgraphs, operators[{index, op, version, custom_code}],",
      "             tensors[{name, type, shape, scale, zero_point, quantized_dimension}]"
    })
final class InspectCommand extends BaseCommand {
  @Mixin TfliteFileParameter tflite;

  private org.qat4j.tflite.TfliteModelInfo info;

  @Override
  JsonObject execute() throws Exception {
    info = Pipeline.readTflite(tflite.check(pipeline()), "FILE.tflite");
    return Inspect.json(info);
  }

  @Override
  void printHuman(JsonObject r, PrintWriter out) {
    out.print(org.qat4j.tflite.TfliteInspector.report(info));
  }
}
