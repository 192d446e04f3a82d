package org.qat4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outputs under contention and on a really full file system: concurrent writers of one file leave
 * one writer's complete file (never a mix or a partial one), and ENOSPC leaves the previous file.
 */
class CliWritersTest {
  @TempDir Path tmp;

  @Test
  void concurrentExportsLeaveOneCompleteFile() throws Exception {
    Path a = tmp.resolve("a.tflite");
    Path b = tmp.resolve("b.tflite");
    CliRun.exportFloat(a, "--seed", "1");
    CliRun.exportFloat(b, "--seed", "2");
    byte[] one = Files.readAllBytes(a);
    byte[] two = Files.readAllBytes(b);
    Path shared = tmp.resolve("shared.tflite");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 3; round++) {
        List<Future<CliRun>> runs = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          String seed = w % 2 == 0 ? "1" : "2";
          runs.add(
              pool.submit(
                  () ->
                      CliRun.of(
                          "export",
                          "--in",
                          "zoo:reference-cnn",
                          "--format",
                          "float",
                          "--seed",
                          seed,
                          "--out",
                          shared.toString())));
        }
        for (Future<CliRun> r : runs) assertEquals(0, r.get().code(), r.get().toString());
        byte[] got = Files.readAllBytes(shared);
        assertTrue(
            java.util.Arrays.equals(got, one) || java.util.Arrays.equals(got, two),
            "round " + round + ": a mixed or partial file");
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(
        List.of("a.tflite", "b.tflite", "shared.tflite"),
        names(tmp),
        "temporary files left behind");
  }

  /**
   * A real full disk: needs a small file system given by QAT4J_SMALL_FS (or -Dqat4j.smallFs), e.g.
   * {@code mount -t tmpfs -o size=2m tmpfs /tmp/q4jfs}; skipped otherwise.
   */
  @Test
  void fullFileSystemKeepsThePreviousExport() throws Exception {
    String fs = System.getProperty("qat4j.smallFs", System.getenv("QAT4J_SMALL_FS"));
    assumeTrue(
        fs != null && Files.isDirectory(Path.of(fs)),
        "no small file system given (QAT4J_SMALL_FS)");
    Path dir = Files.createTempDirectory(Path.of(fs), "disk-full");
    Path victim = dir.resolve("model.tflite");
    CliRun.exportFloat(victim);
    byte[] before = Files.readAllBytes(victim);
    FileStore store = Files.getFileStore(dir);
    long free = store.getUsableSpace();
    assumeTrue(free < (1L << 30), "QAT4J_SMALL_FS is not small: " + free + " bytes free");
    Path filler = dir.resolve("filler");
    Files.write(filler, new byte[(int) Math.max(0, free - before.length / 2)]);
    try {
      CliRun r =
          CliRun.of(
              "export",
              "--in",
              "zoo:reference-cnn",
              "--format",
              "float",
              "--seed",
              "2",
              "--out",
              victim.toString());
      assertEquals(1, r.code(), r.toString());
      assertTrue(r.err().contains("any previous file is untouched"), r.toString());
      assertArrayEquals(before, Files.readAllBytes(victim));
      assertEquals(List.of("filler", "model.tflite"), names(dir), "temporary files left behind");
    } finally {
      Files.deleteIfExists(filler);
      Files.deleteIfExists(victim);
      Files.deleteIfExists(dir);
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
