package org.qat4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes create files like any other new file (umask applies, not a temp file's 0600) and
 * keep a replaced file's mode.
 */
class AtomicFilePermissionsTest {
  @TempDir Path tmp;

  @Test
  void newFileGetsTheUsualModeAndAReplacedFileKeepsItsMode() throws IOException {
    assumeTrue(
        Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class),
        "no POSIX permissions here");
    Path plain = Files.createFile(tmp.resolve("plain"));
    Path atomic = tmp.resolve("atomic");
    AtomicFile.write(atomic, out -> out.write(1));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(atomic));
    Files.setPosixFilePermissions(atomic, PosixFilePermissions.fromString("rw-r-----"));
    AtomicFile.write(atomic, out -> out.write(2));
    assertEquals(
        PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(atomic));
    assertEquals(2, Files.readAllBytes(atomic)[0]);
  }
}
