package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code main} in a child JVM: process exit codes, and stdout holding only the JSON
 * document.
 */
@Tag("native")
class MainProcessTest {
  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  private Result run(String... args) throws IOException, InterruptedException {
    return runWithHeap("-Xmx1g", args);
  }

  private Result runWithHeap(String xmx, String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                xmx,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
    cmd.addAll(List.of(args));
    Path out = tmp.resolve("out.txt");
    Path err = tmp.resolve("err.txt");
    Process p =
        new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void doctorJsonIsTheOnlyStdout() throws Exception {
    Result r = run("doctor", "--json");
    assertEquals(0, r.code(), r.err());
    assertTrue(JsonParser.parseString(r.out()).getAsJsonObject().has("tflite_version"), r.out());
  }

  @Test
  void usageErrorExitsWithTwo() throws Exception {
    Result r = run("bench", "--model", tmp.resolve("missing.tflite").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.out().isEmpty(), r.out());
    assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r.err());
  }

  @Test
  void outOfMemoryIsOneLineWithHeapAdvice() throws Exception {
    Path out = tmp.resolve("r50.tflite");
    Result r =
        runWithHeap(
            "-Xmx48m",
            "export",
            "--in",
            "zoo:resnet50",
            "--format",
            "float",
            "--out",
            out.toString());
    assertEquals(1, r.code(), r.err());
    assertEquals(1, r.err().lines().filter(l -> !l.isBlank()).count(), r.err());
    assertTrue(
        r.err().contains("out of memory") && r.err().contains("QAT4J_JAVA_OPTS=-Xmx"), r.err());
    assertTrue(Files.notExists(out), "no partial output");
  }

  @Test
  void unavailableBackendExitsWithOne() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(
        org.qat4j.runtime.edgetpu.EdgeTpu.probe().available(), "an EdgeTPU is attached");
    Path m = tmp.resolve("cnn.tflite");
    assertEquals(
        0,
        run("export", "--in", "zoo:reference-cnn", "--format", "float", "--out", m.toString())
            .code());
    Result r = run("bench", "--model", m.toString(), "--backend", "edgetpu", "--quiet");
    assertEquals(1, r.code(), r.err());
    assertTrue(r.err().contains("edgetpu") && r.err().contains("unavailable"), r.err());
  }
}
