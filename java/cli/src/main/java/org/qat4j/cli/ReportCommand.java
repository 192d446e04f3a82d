package org.qat4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code qat4j report}: re-renders report.html from a demo's report.json. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Re-render report.html next to a demo's report.json (e.g. after upgrading qat4j).",
    footerHeading = "%nExamples:%n",
    footer = {"  ./qat4j report qat4j-demo/report.json", "", "JSON fields: report_html, plots"})
final class ReportCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "report.json",
      description = "A report.json written by demo.")
  Path file;

  @Override
  JsonObject execute() throws Exception {
    Args.existingFile(file, "report.json");
    if (Args.isTflite(file))
      throw CliException.usage(
          "report.json: "
              + file
              + " is a .tflite model; report expects the report.json a demo wrote");
    JsonObject r;
    try {
      r = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw CliException.usage(
          "report.json: "
              + file
              + " is not UTF-8 text; report expects the report.json a demo wrote");
    } catch (RuntimeException e) {
      throw CliException.usage(
          "report.json: " + file + " is not a JSON object: " + Main.oneLine(e));
    }
    if (!r.has("stages") && !r.has("headline")) {
      throw CliException.usage(
          "report.json: "
              + file
              + " has neither 'headline' nor 'stages'; report expects the report.json a demo wrote");
    }
    Path dir = file.toAbsolutePath().getParent();
    Path html = dir.resolve("report.html");
    Outputs.notAnInput(html, "report.html", file, "report.json");
    Outputs.creatable(html, "report.html");
    Outputs.writeString(html, Report.html(r));
    return Json.object("report_html", html.toString(), "plots", Report.plotCount(r));
  }
}
