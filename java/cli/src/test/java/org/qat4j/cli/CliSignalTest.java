package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM in the middle of a save (a child JVM whose write stalls): the previous file stays, no
 * temporary file is left.
 */
class CliSignalTest {
  @TempDir Path tmp;

  @Test
  void sigtermDuringSaveKeepsThePreviousFileAndNoTemporary() throws Exception {
    Path victim = tmp.resolve("model.tflite");
    assertEquals(
        0,
        CliRun.of(
                "export",
                "--in",
                "zoo:reference-cnn",
                "--format",
                "float",
                "--out",
                victim.toString())
            .code());
    byte[] before = Files.readAllBytes(victim);
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            SlowSaveMain.class.getName(),
            "export",
            "--in",
            "zoo:reference-cnn",
            "--seed",
            "2",
            "--format",
            "float",
            "--out",
            victim.toString());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = r.readLine();
      } while (line != null && !line.equals("WRITING"));
      assertEquals("WRITING", line, "the child never reached the stalled write");
      try (Stream<Path> s = Files.list(tmp)) {
        assertTrue(
            s.anyMatch(f -> f.getFileName().toString().startsWith(".model.tflite.")),
            "a temporary file is being written");
      }
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not exit on SIGTERM");
    } finally {
      p.destroyForcibly();
    }
    assertArrayEquals(before, Files.readAllBytes(victim), "the previous file must survive");
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(
          List.of("model.tflite"),
          s.map(f -> f.getFileName().toString()).toList(),
          "temporary file left behind");
    }
  }
}
