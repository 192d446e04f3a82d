package org.qat4j.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Shared behaviour of every subcommand: {@code --json} prints exactly one JSON document on stdout
 * (messages and progress go to stderr), otherwise a human summary goes to stdout.
 */
abstract class BaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--json",
      description = "Print one machine-readable JSON document on stdout; messages go to stderr.")
  boolean json;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress or messages on stderr.")
  boolean quiet;

  /** Does the work and returns the result document. */
  abstract JsonObject execute() throws Exception;

  /**
   * Human rendering of the result; default: aligned "key value" lines, fractions as percentages and
   * other numbers rounded ({@link Table#keyValues}).
   */
  void printHuman(JsonObject result, PrintWriter out) {
    Table.keyValues(result, Human.HIDDEN, out);
  }

  /**
   * Exit code for a successful run whose result may still mean failure (e.g. verify thresholds).
   */
  int exitCodeFor(JsonObject result) {
    return CliException.OK;
  }

  @Override
  public final Integer call() throws Exception {
    JsonObject result = new JsonObject();
    result.addProperty("ok", true);
    result.addProperty("command", spec.qualifiedName(" ").replaceFirst("^qat4j ?", ""));
    for (Map.Entry<String, JsonElement> e : execute().entrySet())
      result.add(e.getKey(), e.getValue());
    int code = exitCodeFor(result);
    if (code != CliException.OK) result.addProperty("ok", false);
    PrintWriter out = spec.commandLine().getOut();
    if (json) out.println(Json.GSON.toJson(result));
    else printHuman(result, out);
    out.flush();
    return code;
  }

  /** Messages channel (stderr), silent with --quiet. */
  final void info(String message) {
    if (quiet) return;
    PrintWriter err = spec.commandLine().getErr();
    err.println(message);
    err.flush();
  }

  final Progress progress(String task, long total, String unit) {
    return Progress.create(quiet ? null : spec.commandLine().getErr(), task, total, unit);
  }

  /** A pipeline reporting through this command's progress and messages channels. */
  final Pipeline pipeline() {
    return new Pipeline(this::progress, this::info);
  }
}
