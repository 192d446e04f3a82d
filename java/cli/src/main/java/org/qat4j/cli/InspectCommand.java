package org.qat4j.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code qat4j inspect}: operators and tensors (with quantization) of a .tflite file. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "List the operators and tensors (type, shape, scale, zero point) of a .tflite model.",
    footerHeading = "%nExamples:%n",
    footer = {"  ./qat4j inspect cnn-int8.tflite",
        "  ./qat4j inspect cnn-int8.tflite --json | jq '.operators[].op'",
        "", "JSON fields: bytes, subgraphs, operators[{index, op, version, custom_code}],",
        "             tensors[{name, type, shape, scale, zero_point, quantized_dimension}]"})
final class InspectCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "FILE.tflite", description = ".tflite model.")
  Path file;

  @Override JsonObject execute() throws Exception {
    Args.tfliteFile(file, "FILE.tflite");
    return new Pipeline(this::progress, this::info).inspect(file);
  }

  @Override void printHuman(JsonObject r, PrintWriter out) {
    out.printf("%s: %d bytes, %d subgraph(s)%n", file, r.get("bytes").getAsLong(), r.get("subgraphs").getAsInt());
    out.println("operators:");
    for (JsonElement e : r.getAsJsonArray("operators")) {
      JsonObject o = e.getAsJsonObject();
      out.printf("  %3d  %-24s v%d%s%n", o.get("index").getAsInt(), o.get("op").getAsString(), o.get("version").getAsInt(),
          o.has("custom_code") ? "  custom_code=" + o.get("custom_code").getAsString() : "");
    }
    out.println("tensors:");
    int i = 0;
    for (JsonElement e : r.getAsJsonArray("tensors")) {
      JsonObject t = e.getAsJsonObject();
      String q = t.has("scale") && !t.get("scale").isJsonNull() ? "  scale=" + Json.GSON.toJson(t.get("scale")).replaceAll("\\s+", "")
          + " zp=" + Json.GSON.toJson(t.get("zero_point")).replaceAll("\\s+", "") : "";
      out.printf("  %3d  %-8s %-18s %s%s%n", i++, t.get("type").getAsString(), Json.GSON.toJson(t.get("shape")).replaceAll("\\s+", ""),
          t.get("name").getAsString(), q);
    }
  }
}
