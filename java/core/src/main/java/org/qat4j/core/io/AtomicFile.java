package org.qat4j.core.io;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a file atomically: a temporary file in the same directory is written, flushed, fsynced and
 * renamed over the target, so readers see either the old or the new complete file.
 */
public final class AtomicFile {
  /** Body writing the content; must not close the stream. */
  @FunctionalInterface
  public interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Test seam: wraps the stream the body writes to (e.g. one that fails midway). */
  static volatile UnaryOperator<OutputStream> streamHook = UnaryOperator.identity();

  // Temporary files being written: on SIGINT/SIGTERM the JVM's shutdown removes them, so an
  // interrupted save leaves only the previous file (after SIGKILL the next write of the same target
  // removes it: removeStale).
  private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final long PID = ProcessHandle.current().pid();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Path p : IN_PROGRESS) {
                    try {
                      Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                      // best effort while the JVM exits
                    }
                  }
                },
                "qat4j-atomic-file-cleanup"));
  }

  private AtomicFile() {}

  /**
   * Writes {@code target} from {@code body}; on any failure the temporary file is removed and the
   * target is untouched.
   */
  public static void write(Path target, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Files.createDirectories(dir);
    removeStale(dir, abs.getFileName().toString());
    Path tmp = newTemp(dir, abs.getFileName().toString());
    IN_PROGRESS.add(tmp);
    boolean moved = false;
    try {
      try (FileOutputStream fos = new FileOutputStream(tmp.toFile())) {
        OutputStream buffered = new BufferedOutputStream(fos, 1 << 16);
        OutputStream out =
            streamHook.apply(
                new FilterOutputStream(buffered) {
                  @Override
                  public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                  }

                  @Override
                  public void close() throws IOException {
                    flush();
                  }
                });
        body.write(out);
        out.flush();
        buffered.flush();
        fos.getFD().sync();
      }
      keepPermissions(abs, tmp);
      move(tmp, abs);
      moved = true;
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "writing " + target + " failed; any previous file is untouched: " + e.getMessage(), e);
    } finally {
      if (!moved) Files.deleteIfExists(tmp); // also after an Error such as OutOfMemoryError
      IN_PROGRESS.remove(tmp);
    }
    syncDir(dir);
  }

  // Not Files.createTempFile: its 0600 mode would survive the rename; createFile applies the umask
  // like any new file. The name carries the writer's process id for removeStale.
  private static Path newTemp(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp =
          dir.resolve(
              "." + name + "." + PID + "." + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt == 100) throw e;
      }
    }
  }

  /**
   * Deletes temporaries of {@code name} left by writers that no longer run (a SIGKILL or power loss
   * mid-save): their process id is gone. Temporaries of live processes, this one included, stay.
   */
  private static void removeStale(Path dir, String name) {
    Pattern p = Pattern.compile("\\." + Pattern.quote(name) + "\\.(\\d{1,18})\\.\\d+\\.tmp");
    String prefix = "." + name + ".";
    try (DirectoryStream<Path> ds =
        Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith(prefix))) {
      for (Path f : ds) {
        Matcher m = p.matcher(f.getFileName().toString());
        if (!m.matches()) continue;
        long pid = Long.parseLong(m.group(1));
        if (pid != PID && ProcessHandle.of(pid).isEmpty()) Files.deleteIfExists(f);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: a stale temporary wastes space but never replaces the target
    }
  }

  /** A replaced file keeps its POSIX permissions (e.g. a user's chmod 640). */
  private static void keepPermissions(Path target, Path tmp) throws IOException {
    if (!Files.exists(target)
        || !Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) return;
    Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
  }

  private static void move(Path tmp, Path target) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // Makes the rename durable; directories cannot be opened for sync on every OS, so best effort.
  private static void syncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | RuntimeException ignored) {
      // not supported here (e.g. Windows); the file itself was fsynced
    }
  }
}
