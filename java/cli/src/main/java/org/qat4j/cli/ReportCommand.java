package org.qat4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code qat4j report}: re-renders report.html from a demo's report.json. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Re-render report.html next to a demo's report.json (e.g. after upgrading qat4j).",
    footerHeading = "%nExamples:%n", footer = {"  ./qat4j report qat4j-demo/report.json", "", "JSON fields: report_html, plots"})
final class ReportCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "report.json", description = "A report.json written by demo.")
  Path file;

  @Override JsonObject execute() throws Exception {
    Args.existingFile(file, "report.json");
    JsonObject r;
    try {
      r = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (RuntimeException e) {
      throw CliException.usage("report.json: " + file + " is not a JSON object: " + Main.oneLine(e));
    }
    Path dir = file.toAbsolutePath().getParent();
    Path html = dir.resolve("report.html");
    Files.writeString(html, Report.html(r));
    return Json.object("report_html", html.toString(), "plots", Report.plotCount(r));
  }
}
