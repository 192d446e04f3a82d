package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, help and exit codes: bad arguments give one clear line on stderr and exit 2. */
class CliArgumentsTest {
  @TempDir Path tmp;

  @Test
  void noSubcommandIsUsageError() {
    CliRun r = CliRun.of();
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines(), r.toString());
    assertTrue(r.out().isEmpty(), r.toString());
  }

  @Test
  void unknownSubcommandIsUsageError() {
    CliRun r = CliRun.of("frobnicate");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines(), r.toString());
    assertTrue(r.err().contains("frobnicate"), r.toString());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "train",
        "quantize",
        "ptq",
        "export",
        "eval",
        "verify",
        "classify",
        "run",
        "bench",
        "inspect",
        "edgetpu",
        "edgetpu devices",
        "edgetpu check",
        "doctor",
        "demo"
      })
  void everyCommandHasHelpWithExamples(String cmd) {
    String[] args = (cmd + " --help").split(" ");
    CliRun r = CliRun.of(args);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("Examples:"), r.toString());
    assertTrue(r.out().contains("Usage: qat4j " + cmd), r.toString());
  }

  @Test
  void topLevelHelpListsAllSubcommands() {
    CliRun r = CliRun.of("--help");
    assertEquals(0, r.code());
    for (String c :
        new String[] {
          "train",
          "quantize",
          "ptq",
          "export",
          "eval",
          "verify",
          "classify",
          "run",
          "bench",
          "inspect",
          "edgetpu",
          "doctor",
          "demo"
        }) {
      assertTrue(
          r.out().contains("  " + c + " ") || r.out().contains("  " + c + "\n"),
          c + " missing in\n" + r.out());
    }
  }

  @Test
  void missingRequiredOptionIsOneLine() {
    CliRun r = CliRun.of("bench");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines(), r.toString());
    assertTrue(r.err().contains("--model"), r.toString());
  }

  @Test
  void missingModelFileIsUsageError() {
    CliRun r = CliRun.of("eval", "--model", tmp.resolve("nope.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines(), r.toString());
    assertTrue(r.err().contains("no such file") && r.err().contains("nope.tflite"), r.toString());
  }

  @Test
  void nonTfliteFileIsWrongModelType() throws IOException {
    Path f = Files.writeString(tmp.resolve("model.tflite"), "this is not a flatbuffer");
    for (String[] args :
        new String[][] {
          {"bench", "--model", f.toString()},
          {"inspect", f.toString()},
          {"edgetpu", "check", f.toString()},
          {"eval", "--model", f.toString()}
        }) {
      CliRun r = CliRun.of(args);
      assertEquals(2, r.code(), r.toString());
      assertEquals(1, r.errLines(), r.toString());
      assertTrue(r.err().contains("not a .tflite"), r.toString());
    }
  }

  @Test
  void tfliteWhereSavedModelNeededIsWrongModelType() throws IOException {
    Path f = fakeTfliteHeader();
    CliRun r =
        CliRun.of("quantize", "--in", f.toString(), "--out", tmp.resolve("q.q4j").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("is a .tflite file"), r.toString());
  }

  @Test
  void unknownBackendIsUsageError() throws IOException {
    CliRun r = CliRun.of("bench", "--model", fakeTfliteHeader().toString(), "--backend", "gpu");
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines(), r.toString());
    assertTrue(r.err().contains("--backend") && r.err().contains("gpu"), r.toString());
  }

  @Test
  void unknownZooModelIsUsageError() {
    CliRun r =
        CliRun.of(
            "export",
            "--in",
            "zoo:alexnet",
            "--format",
            "int8",
            "--out",
            tmp.resolve("a.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(
        r.err().contains("unknown zoo model 'alexnet'") && r.err().contains("mobilenet-v2"),
        r.toString());
  }

  @Test
  void unknownArchitectureForTrainIsUsageError() {
    CliRun r = CliRun.of("train", "--model", "vgg16", "--out", tmp.resolve("m.q4j").toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals(1, r.errLines(), r.toString());
    assertTrue(r.err().contains("vgg16"), r.toString());
  }

  @Test
  void unknownScheduleIsUsageError() {
    CliRun r =
        CliRun.of(
            "train",
            "--model",
            "reference-cnn",
            "--schedule",
            "step",
            "--out",
            tmp.resolve("m.q4j").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--schedule") && r.err().contains("cosine"), r.toString());
  }

  @Test
  void badNumbersAreUsageErrors() throws IOException {
    Path m = fakeTfliteHeader();
    assertEquals(2, CliRun.of("bench", "--model", m.toString(), "--runs", "0").code());
    assertEquals(2, CliRun.of("bench", "--model", m.toString(), "--threads", "x").code());
    assertEquals(
        2,
        CliRun.of(
                "export",
                "--in",
                "zoo:reference-cnn",
                "--format",
                "float",
                "--io",
                "int8",
                "--out",
                tmp.resolve("x.tflite").toString())
            .code());
  }

  @Test
  void missingDatasetNamesTheInstallCommandOrFolder() throws IOException {
    CliRun r =
        CliRun.of(
            "eval",
            "--model",
            fakeTfliteHeader().toString(),
            "--data",
            tmp.resolve("fm").toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(
        r.err().contains("--data: no such file or folder") && r.err().contains("fm"), r.toString());
  }

  @Test
  void usageErrorWithJsonPrintsOneErrorDocument() {
    CliRun r = CliRun.of("eval", "--json", "--model", tmp.resolve("nope.tflite").toString());
    assertEquals(2, r.code(), r.toString());
    JsonObject j = r.json();
    assertFalse(j.get("ok").getAsBoolean());
    assertEquals(2, j.get("exit_code").getAsInt());
    assertEquals("eval", j.get("command").getAsString());
    assertTrue(j.get("error").getAsString().contains("no such file"));
  }

  @Test
  void parseErrorWithJsonPrintsOneErrorDocument() {
    CliRun r = CliRun.of("bench", "--json", "--model", "m.tflite", "--backend", "tpu");
    assertEquals(2, r.code(), r.toString());
    assertEquals(2, r.json().get("exit_code").getAsInt());
  }

  /**
   * A file that passes the cheap identifier check but is no valid model (for argument tests only).
   */
  private Path fakeTfliteHeader() throws IOException {
    byte[] b = new byte[64];
    b[4] = 'T';
    b[5] = 'F';
    b[6] = 'L';
    b[7] = '3';
    return Files.write(tmp.resolve("header-only.tflite"), b);
  }
}
