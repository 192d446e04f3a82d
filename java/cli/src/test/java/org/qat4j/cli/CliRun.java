package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.qat4j.ir.internal.VectorApi;

/** Runs the CLI in-process and captures exit code, stdout and stderr. */
record CliRun(int code, String out, String err) {
  static CliRun of(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            new PrintStream(o, true, StandardCharsets.UTF_8),
            new PrintStream(e, true, StandardCharsets.UTF_8));
    return new CliRun(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  /**
   * The start of a child JVM's command: this JVM's java, {@code options}, and the Vector API module
   * when this JVM has it, so that the child trains with the same kernels (VectorConv's sums differ
   * from im2col's in the last bits).
   */
  static List<String> childJava(String... options) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(options));
    if (VectorApi.AVAILABLE) cmd.addAll(List.of("--add-modules", VectorApi.MODULE));
    return cmd;
  }

  /** Runs the CLI with {@code args}, asserts exit 0 and {@code "ok": true}, returns the JSON. */
  static JsonObject ok(String... args) {
    CliRun r = of(args);
    assertEquals(0, r.code(), r.toString());
    JsonObject j = r.json();
    assertTrue(j.get("ok").getAsBoolean(), r.toString());
    return j;
  }

  /** Asserts that {@code j} has each of {@code fields}, not null. */
  static void has(JsonObject j, String... fields) {
    for (String f : fields)
      assertTrue(j.has(f) && !j.get(f).isJsonNull(), "missing '" + f + "' in " + j);
  }

  /** Exports zoo:reference-cnn as a float .tflite to {@code out}, asserting exit 0. */
  static void exportFloat(Path out, String... options) {
    List<String> args = new ArrayList<>(List.of("export", "--in", "zoo:reference-cnn"));
    args.addAll(List.of("--format", "float"));
    args.addAll(List.of(options));
    args.addAll(List.of("--out", out.toString()));
    CliRun r = of(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.toString());
  }

  /** Skips the calling test unless the Fashion-MNIST Debian package is installed. */
  static void needsFashionMnist() {
    assumeTrue(
        Args.hasFashionMnist(Args.DEFAULT_DATA),
        "Fashion-MNIST absent (sudo apt-get install dataset-fashion-mnist)");
  }

  /** stdout parsed as exactly one JSON object (fails if there is anything else). */
  JsonObject json() {
    return JsonParser.parseString(out).getAsJsonObject();
  }

  long errLines() {
    return err.lines().filter(l -> !l.isBlank()).count();
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }
}
