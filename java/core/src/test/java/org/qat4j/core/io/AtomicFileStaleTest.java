package org.qat4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A temporary left by a killed writer (its process id is gone) is removed by the next write of the
 * same target; temporaries of live writers and of other targets stay.
 */
class AtomicFileStaleTest {
  @TempDir Path dir;

  @Test
  void nextWriteRemovesTemporariesOfDeadWritersOnly() throws Exception {
    Process done = new ProcessBuilder("true").start();
    assertTrue(done.waitFor(30, TimeUnit.SECONDS));
    long dead = done.pid();
    Process live = new ProcessBuilder("sleep", "60").start();
    try {
      Path stale = Files.write(dir.resolve(".m.q4j." + dead + ".77.tmp"), new byte[10]);
      Path alive = Files.write(dir.resolve(".m.q4j." + live.pid() + ".78.tmp"), new byte[10]);
      Path other = Files.write(dir.resolve(".n.q4j." + dead + ".79.tmp"), new byte[10]);
      Path notOurs = Files.write(dir.resolve(".m.q4j.backup.tmp"), new byte[10]);

      AtomicFile.write(dir.resolve("m.q4j"), out -> out.write(new byte[] {1, 2, 3}));

      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("m.q4j")));
      assertTrue(Files.notExists(stale), "temporary of a dead writer left behind");
      try (Stream<Path> s = Files.list(dir)) {
        assertEquals(
            List.of(alive, other, notOurs, dir.resolve("m.q4j")).stream().sorted().toList(),
            s.sorted().toList());
      }
    } finally {
      live.destroyForcibly();
    }
  }
}
