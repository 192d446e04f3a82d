package org.qat4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import picocli.CommandLine;

/** Entry point of the {@code qat4j} command line; exit codes 0 ok, 1 failed, 2 usage error. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Only the CLI writes to stdout (one JSON document with --json); anything a library prints goes
    // to stderr.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    int code = run(args, stdout, System.err);
    stdout.flush();
    System.err.flush();
    System.exit(code);
  }

  /** Runs the CLI with the given streams (stdout carries only results; messages go to stderr). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    System.setProperty("java.awt.headless", "true");
    PrintWriter o =
        new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter e =
        new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine cl = commandLine(o, e);
    int code;
    try {
      code = cl.execute(args);
    } catch (OutOfMemoryError oom) {
      code = outOfMemory(oom, args, o, e);
    }
    o.flush();
    e.flush();
    return code;
  }

  /**
   * One line instead of a stack trace, with the heap size and how to raise it (the launcher passes
   * QAT4J_JAVA_OPTS to java).
   */
  static int outOfMemory(OutOfMemoryError oom, String[] args, PrintWriter out, PrintWriter err) {
    long mb = Runtime.getRuntime().maxMemory() >> 20;
    String cmd = args.length > 0 && !args[0].startsWith("-") ? "qat4j " + args[0] : "qat4j";
    String msg =
        "out of memory ("
            + oom.getMessage()
            + ", heap limit "
            + mb
            + " MB); give Java more with e.g. "
            + "QAT4J_JAVA_OPTS=-Xmx"
            + Math.max(2, 2 * ((mb + 1023) >> 10))
            + "g ./qat4j ..., or use a smaller --batch-size / --limit";
    err.println(cmd + ": failed: " + msg);
    if (Arrays.asList(args).contains("--json")) {
      JsonObject j = new JsonObject();
      j.addProperty("ok", false);
      j.addProperty("command", cmd.replaceFirst("^qat4j ?", ""));
      j.addProperty("exit_code", CliException.FAILED);
      j.addProperty("error", msg);
      out.println(Json.GSON.toJson(j));
    }
    return CliException.FAILED;
  }

  static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Qat4jCommand());
    cl.setOut(out);
    cl.setErr(err);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(Main::onException);
    cl.setParameterExceptionHandler(Main::onBadArguments);
    return cl;
  }

  private static int onBadArguments(CommandLine.ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    String msg = ex.getMessage().replace('\n', ' ').trim();
    cmd.getErr().println(name + ": " + msg + " (see '" + name + " --help')");
    if (Arrays.asList(args).contains("--json")) printJsonError(cmd, CliException.USAGE, msg);
    return CliException.USAGE;
  }

  private static int onException(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
    String name = cmd.getCommandSpec().qualifiedName();
    int code = ex instanceof CliException c ? c.exitCode() : CliException.FAILED;
    String msg = oneLine(ex);
    String kind = code == CliException.USAGE ? "" : code > 128 ? "interrupted: " : "failed: ";
    cmd.getErr().println(name + ": " + kind + msg);
    if (Boolean.getBoolean("qat4j.debug") || System.getenv("QAT4J_DEBUG") != null)
      ex.printStackTrace(cmd.getErr());
    if (parsed != null && hasJson(parsed)) printJsonError(cmd, code, msg);
    return code;
  }

  private static boolean hasJson(CommandLine.ParseResult parsed) {
    for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--json")) return true;
    }
    return false;
  }

  /** The message of {@code t}, or of its first cause that has one, on one line. */
  static String oneLine(Throwable t) {
    Throwable c = t;
    String msg = null;
    while (c != null && msg == null) {
      msg = c.getMessage();
      if (msg == null) c = c.getCause();
    }
    if (msg == null) msg = t.getClass().getSimpleName();
    else if (!(c instanceof CliException) && !(c instanceof IllegalArgumentException))
      msg = c.getClass().getSimpleName() + ": " + msg;
    return msg.replace('\n', ' ').trim();
  }

  private static void printJsonError(CommandLine cmd, int code, String msg) {
    JsonObject j = new JsonObject();
    j.addProperty("ok", false);
    j.addProperty("command", cmd.getCommandSpec().qualifiedName(" ").replaceFirst("^qat4j ?", ""));
    j.addProperty("exit_code", code);
    j.addProperty("error", msg);
    cmd.getOut().println(Json.GSON.toJson(j));
    cmd.getOut().flush();
  }
}
