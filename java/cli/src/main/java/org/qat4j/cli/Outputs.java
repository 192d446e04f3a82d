package org.qat4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.qat4j.core.Model;
import org.qat4j.core.io.AtomicFile;
import org.qat4j.core.io.ModelIO;

/**
 * The one way the CLI writes a file: through core's {@link AtomicFile} (temporary file, fsync,
 * rename), so a crash or a full disk leaves the previous file intact and never a partial one; and
 * never over one of the command's inputs.
 */
final class Outputs {
  /**
   * Test seam: wraps the stream every CLI output is written to (e.g. one that fails like a full
   * disk).
   */
  static volatile UnaryOperator<OutputStream> faultHook = UnaryOperator.identity();

  private Outputs() {}

  static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code target} atomically from {@code body} (which must not close the stream). */
  static void write(Path target, AtomicFile.Body body) throws IOException {
    // AtomicFile's stream already passes writes through and only flushes on close.
    AtomicFile.write(
        target,
        out -> {
          OutputStream o = faultHook.apply(out);
          body.write(o);
          o.flush();
        });
  }

  /** Saves a float model ({@link ModelIO} format) through {@link #write}. */
  static void saveModel(Model model, Path target) throws IOException {
    Path tmp = Files.createTempFile("qat4j-model", ".q4j");
    try {
      ModelIO.save(model, tmp);
      write(target, Files.readAllBytes(tmp));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * A usage error when {@code out} is the same file as {@code input} — after normalisation, through
   * symlinks and hard links (same inode) — so a command never replaces what it reads.
   */
  static void notAnInput(Path out, String outOption, Path input, String inOption) {
    if (input == null || out == null || !Files.exists(out) || !Files.exists(input)) return;
    boolean same;
    try {
      same = Files.isSameFile(out, input);
    } catch (IOException e) {
      same = out.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize());
    }
    if (same) {
      throw CliException.usage(
          outOption
              + ": "
              + out
              + " is the same file as "
              + inOption
              + " "
              + input
              + "; writing it would replace the input. Choose another output file");
    }
  }

  /** {@link #notAnInput} for a model reference that may be zoo:NAME or an architecture name. */
  static void notAnInput(Path out, String outOption, String inputRef, String inOption) {
    if (inputRef == null || inputRef.startsWith("zoo:") || Args.zooNames().contains(inputRef))
      return;
    notAnInput(out, outOption, Path.of(inputRef), inOption);
  }

  /** Refuses an output that is one of the Fashion-MNIST files of {@code dataDir}. */
  static void notData(Path out, String outOption, Path dataDir) {
    if (dataDir == null) return;
    if (!Files.isDirectory(dataDir)) {
      notAnInput(out, outOption, dataDir, "--data file");
      return;
    }
    for (String f : Args.FMNIST_FILES) {
      notAnInput(out, outOption, dataDir.resolve(f), "--data file");
      notAnInput(out, outOption, dataDir.resolve(f + ".gz"), "--data file");
    }
  }

  /**
   * Checks before any long work that a file can be created next to {@code out} (the atomic writer's
   * temporary file) and that an existing {@code out} is a regular file.
   */
  static void creatable(Path out, String option) {
    if (Files.exists(out) && !Files.isRegularFile(out))
      throw CliException.usage(option + ": not a regular file: " + out);
    Path dir = out.toAbsolutePath().getParent();
    try {
      Path probe = Files.createTempFile(dir, ".qat4j-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw CliException.usage(option + ": cannot write in " + dir + " (" + Main.oneLine(e) + ")");
    }
  }
}
