package org.qat4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Argument checks that turn bad paths and wrong file types into one-line usage errors (exit 2). */
final class Args {
  /**
   * Zoo architectures the CLI documents; {@link #zooNames} adds whatever the core Zoo registers.
   */
  static final List<String> ZOO =
      List.of("reference-cnn", "mobilenet-mini", "mobilenet-v1", "mobilenet-v2", "resnet50");

  /** Documented names plus the core Zoo's, in a stable order. */
  static List<String> zooNames() {
    java.util.LinkedHashSet<String> s = new java.util.LinkedHashSet<>(ZOO);
    s.addAll(new java.util.TreeSet<>(org.qat4j.core.zoo.Zoo.names()));
    return List.copyOf(s);
  }

  /**
   * -Dqat4j.fashionMnist (the launcher sets it when the data sits elsewhere), else the Debian
   * package folder.
   */
  static final Path DEFAULT_DATA = org.qat4j.core.data.FashionMnist.defaultDir();

  static final List<String> FMNIST_FILES =
      List.of(
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte");

  private Args() {}

  /**
   * An existing file for a model argument; a missing one is reported together with the known
   * architecture names.
   */
  static Path modelFile(String ref, String option) {
    Path p = Path.of(ref);
    if (!Files.exists(p)) {
      throw CliException.usage(
          option
              + ": '"
              + ref
              + "' is neither a known architecture ("
              + String.join(", ", zooNames())
              + ") nor an existing file");
    }
    return existingFile(p, option);
  }

  static Path existingFile(Path p, String option) {
    if (p == null) throw CliException.usage(option + ": missing value");
    if (!Files.exists(p)) throw CliException.usage(option + ": no such file: " + p);
    if (!Files.isRegularFile(p)) throw CliException.usage(option + ": not a regular file: " + p);
    if (!Files.isReadable(p)) throw CliException.usage(option + ": not readable: " + p);
    return p;
  }

  /** An existing file that carries the TFLite flatbuffer identifier "TFL3" at byte 4. */
  static Path tfliteFile(Path p, String option) {
    existingFile(p, option);
    if (!isTflite(p))
      throw CliException.usage(option + ": " + p + " is not a .tflite model (no TFL3 identifier)");
    return p;
  }

  static boolean isTflite(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      byte[] head = in.readNBytes(8);
      return head.length == 8
          && head[4] == 'T'
          && head[5] == 'F'
          && head[6] == 'L'
          && head[7] == '3';
    } catch (IOException e) {
      return false;
    }
  }

  /** A Fashion-MNIST folder with the four IDX files (optionally gzipped). */
  static Path dataDir(Path dir, String option) {
    Path d = dir == null ? DEFAULT_DATA : dir;
    if (!Files.isDirectory(d)) {
      String hint =
          d.equals(DEFAULT_DATA)
              ? "; install it with: sudo apt-get install dataset-fashion-mnist"
              : "";
      throw CliException.usage(option + ": Fashion-MNIST folder not found: " + d + hint);
    }
    for (String f : FMNIST_FILES) {
      if (!Files.isRegularFile(d.resolve(f)) && !Files.isRegularFile(d.resolve(f + ".gz"))) {
        throw CliException.usage(
            option
                + ": "
                + d
                + " lacks "
                + f
                + "(.gz); install Fashion-MNIST with: sudo apt-get install dataset-fashion-mnist");
      }
    }
    return d;
  }

  static boolean hasFashionMnist(Path d) {
    try {
      dataDir(d, "--data");
      return true;
    } catch (CliException e) {
      return false;
    }
  }

  /** An output file whose folder exists (created if needed). */
  static Path outFile(Path p, String option) {
    if (p == null) throw CliException.usage(option + ": missing value");
    if (Files.isDirectory(p))
      throw CliException.usage(option + ": is a directory, expected a file: " + p);
    Path parent = p.toAbsolutePath().getParent();
    try {
      if (parent != null) Files.createDirectories(parent);
    } catch (IOException e) {
      throw CliException.usage(option + ": cannot create folder " + parent + ": " + e.getMessage());
    }
    Outputs.creatable(p, option);
    return p;
  }

  /**
   * Thread counts above this are refused: far past any useful oversubscription, and each thread
   * costs a stack.
   */
  static final int MAX_THREADS = 256;

  /** A thread count in 1..{@link #MAX_THREADS}. */
  static void threads(long v, String option) {
    positive(v, option);
    if (v > MAX_THREADS) {
      throw CliException.usage(
          option
              + ": "
              + v
              + " threads is more than the cap of "
              + MAX_THREADS
              + " (this machine has "
              + Runtime.getRuntime().availableProcessors()
              + " CPUs; more threads than CPUs only adds contention)");
    }
  }

  /** A value in 1..{@code max}, with the reason for the cap in the message. */
  static void atMost(long v, long max, String option, String why) {
    positive(v, option);
    if (v > max)
      throw CliException.usage(
          option + ": must be at most " + max + ", got " + v + " (" + why + ")");
  }

  static void positive(long v, String option) {
    if (v <= 0) throw CliException.usage(option + ": must be > 0, got " + v);
  }

  static void nonNegative(long v, String option) {
    if (v < 0) throw CliException.usage(option + ": must be >= 0, got " + v);
  }

  /** The zoo name of a {@code zoo:NAME} reference, or null for a file path. */
  static String zooName(String ref, String option) {
    if (!ref.startsWith("zoo:")) return null;
    String name = ref.substring(4);
    if (!zooNames().contains(name))
      throw CliException.usage(
          option + ": unknown zoo model '" + name + "'; known: " + String.join(", ", zooNames()));
    return name;
  }
}
