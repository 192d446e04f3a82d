package org.qat4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.qat4j.tflite.TfliteModelInfo;
import org.qat4j.tflite.edgetpu.EdgeTpuPreflight;
import org.qat4j.tflite.edgetpu.PreflightReport;
import org.qat4j.tflite.edgetpu.Status;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code qat4j edgetpu}: Coral devices and the EdgeTPU pre-flight check. */
@Command(
    name = "edgetpu",
    mixinStandardHelpOptions = true,
    description = "Coral EdgeTPU: list devices, pre-flight check a model.",
    subcommands = {EdgeTpuCommand.Devices.class, EdgeTpuCommand.Check.class},
    footerHeading = "%nExamples:%n",
    footer = {"  ./qat4j edgetpu devices --json", "  ./qat4j edgetpu check cnn-int8.tflite"})
final class EdgeTpuCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "missing subcommand: devices or check");
  }

  @Command(
      name = "devices",
      mixinStandardHelpOptions = true,
      description = "List attached Coral EdgeTPU devices and the libedgetpu version.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  ./qat4j edgetpu devices",
        "  ./qat4j edgetpu devices --json",
        "",
        "JSON fields: found, version, devices[{type, path}], reason"
      })
  static final class Devices extends BaseCommand {
    @Override
    JsonObject execute() {
      return pipeline().edgetpuDevices();
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Pre-flight: which operators of an int8 .tflite the EdgeTPU compiler would map, and why not the others.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  ./qat4j edgetpu check cnn-int8.tflite",
        "  ./qat4j edgetpu check cnn-int8.tflite --json | jq .cpu_ops",
        "",
        "JSON fields: total_ops, edgetpu_ops, cpu_ops, operators[{index, op, status, reason}]"
      })
  static final class Check extends BaseCommand {
    @Mixin TfliteFileParameter tflite;

    @Override
    JsonObject execute() throws Exception {
      Pipeline p = pipeline();
      return p.edgetpuCheck(tflite.check(p));
    }

    @Override
    void printHuman(JsonObject r, PrintWriter out) {
      out.printf(
          "%s: %d of %d operator(s) map to the EdgeTPU, %d stay on the CPU%n",
          tflite.file,
          r.get("edgetpu_ops").getAsInt(),
          r.get("total_ops").getAsInt(),
          r.get("cpu_ops").getAsInt());
      for (JsonElement e : r.getAsJsonArray("operators")) {
        JsonObject o = e.getAsJsonObject();
        String reason =
            o.has("reason") && !o.get("reason").isJsonNull() ? o.get("reason").getAsString() : "";
        out.printf(
            "  %3d  %-24s %-8s %s%n",
            o.get("index").getAsInt(),
            o.get("op").getAsString(),
            o.get("status").getAsString(),
            reason);
      }
    }
  }

  /**
   * The {@code edgetpu check} contract fields of the pre-flight of {@code info} (read from file).
   */
  static JsonObject preflightJson(TfliteModelInfo info, Path file) {
    PreflightReport p = EdgeTpuPreflight.check(info);
    JsonObject r = new JsonObject();
    r.addProperty("model", file.toString());
    r.addProperty("compiled", p.compiled());
    r.addProperty("total_ops", p.totalOps());
    r.addProperty("edgetpu_ops", p.edgetpuOps());
    r.addProperty("cpu_ops", p.cpuOps());
    r.addProperty("edgetpu_subgraphs", p.edgetpuSubgraphs());
    JsonArray ops = new JsonArray();
    for (PreflightReport.OperatorResult o : p.operators()) {
      JsonObject j =
          Json.object(
              "index",
              o.index(),
              "op",
              o.op(),
              "version",
              o.version(),
              "status",
              o.status(),
              "reason",
              o.reason() == null ? "" : o.reason());
      j.addProperty(
          "mapped", o.status().equals(Status.MAPPED) || o.status().equals(Status.COMPILED_SEGMENT));
      ops.add(j);
    }
    r.add("operators", ops);
    r.add("warnings", Json.GSON.toJsonTree(p.warnings()));
    return r;
  }
}
