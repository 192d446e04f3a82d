package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
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
    CliRun.exportFloat(victim);
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

  /** SIGKILL cannot be caught: the temporary stays until the next save of the same file. */
  @Test
  void sigkillDuringSaveLeavesATemporaryTheNextSaveRemoves() throws Exception {
    Path victim = tmp.resolve("killed.tflite");
    assertEquals(0, export(victim, "1").code());
    byte[] before = Files.readAllBytes(victim);
    Process p = slowExport(victim);
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      do {
        line = r.readLine();
      } while (line != null && !line.equals("WRITING"));
      assertEquals("WRITING", line, "the child never reached the stalled write");
      p.destroyForcibly(); // SIGKILL
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not die on SIGKILL");
    } finally {
      p.destroyForcibly();
    }
    assertArrayEquals(before, Files.readAllBytes(victim), "the previous file must survive");
    assertEquals(2, names().size(), "SIGKILL leaves the temporary: " + names());
    assertEquals(0, export(victim, "3").code());
    assertEquals(List.of("killed.tflite"), names(), "the next save removes the dead temporary");
  }

  private static CliRun export(Path out, String seed) {
    return CliRun.of(
        "export",
        "--in",
        "zoo:reference-cnn",
        "--seed",
        seed,
        "--format",
        "float",
        "--out",
        out.toString());
  }

  private static Process slowExport(Path out) throws IOException {
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
            out.toString());
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
