package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code qat4j demo}: the whole pipeline on Fashion-MNIST with an HTML + JSON report. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Train → PTQ → QAT → export → verify → bench → EdgeTPU pre-flight on Fashion-MNIST; writes report.html and report.json.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  ./qat4j demo                      # full run (≤ 10 min on 2 cores)",
      "  ./qat4j demo --quick --out /tmp/d  # subset: 4 000 images × 2 epochs float, 2 000 QAT (≤ 2 min)",
      "  ./qat4j demo --quick --json | jq .headline"
    })
final class DemoCommand extends BaseCommand {
  @Mixin ThreadOptions threads;

  @Mixin DataOption data;

  @Option(
      names = "--out",
      defaultValue = "qat4j-demo",
      paramLabel = "DIR",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--quick",
      description =
          "Training subset (float 4 000 images × 2 epochs, QAT 2 000 images, 1 000 test images); about a minute.")
  boolean quick;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  JsonObject execute() throws Exception {
    threads.apply();
    Path d = data.dir();
    if (Files.exists(out) && !Files.isDirectory(out))
      throw CliException.usage("--out: " + out + " exists and is not a folder");
    Files.createDirectories(out);
    Outputs.creatable(out.resolve("report.json"), "--out");
    demo = new Demo(this::progress, this::info, d, out, quick, seed);
    JsonObject r = demo.run();
    if (json) info(Report.headlineText(r) + Report.ratios(r));
    return r;
  }

  private Demo demo;

  @Override
  int exitCodeFor(JsonObject r) {
    return demo != null && demo.failed() ? CliException.FAILED : CliException.OK;
  }

  @Override
  void printHuman(JsonObject r, java.io.PrintWriter out) {
    out.print(Report.headlineText(r));
    out.println(Report.ratios(r));
    for (com.google.gson.JsonElement e : r.getAsJsonArray("stages")) {
      JsonObject s = e.getAsJsonObject();
      if (!s.get("status").getAsString().equals("ok")) {
        out.println(
            "stage "
                + s.get("name").getAsString()
                + ": "
                + s.get("status").getAsString()
                + (s.has("error") ? " (" + s.get("error").getAsString() + ")" : ""));
      }
    }
    out.println("report: " + r.get("report_html").getAsString());
  }
}
