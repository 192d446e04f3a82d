package org.qat4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.qat4j.core.Model;
import org.qat4j.core.io.ModelIO;
import org.qat4j.core.layers.Initializer;
import org.qat4j.core.zoo.Zoo;
import org.qat4j.keras.KerasImportException;
import org.qat4j.keras.KerasImporter;

/**
 * Resolves a model argument: an architecture name, {@code zoo:NAME}, a saved qat4j model file, or a
 * Keras .keras/.h5 file.
 */
final class Models {
  private Models() {}

  /** True when {@code ref} names an architecture rather than a file. */
  static boolean isArchitecture(String ref) {
    String n = ref.startsWith("zoo:") ? ref.substring(4) : ref;
    return Args.zooNames().contains(n);
  }

  /** Builds a zoo architecture (core {@link Zoo} name) with seeded weights. */
  static Model architecture(String n, long seed) {
    if (!Zoo.names().contains(n))
      throw CliException.usage("unknown zoo model '" + n + "' (known: " + Zoo.names() + ")");
    return Zoo.create(n, seed);
  }

  /**
   * True when {@code ref} is the reference CNN architecture (reference-cnn or zoo:reference-cnn).
   */
  static boolean isReferenceCnn(String ref) {
    return ref.equals("reference-cnn") || ref.equals("zoo:reference-cnn");
  }

  /**
   * As {@link #load(String, long, String)}; a fresh reference CNN draws its two Conv2D kernels at
   * Glorot-uniform variance scale {@code convInitScale} (1 = Glorot; the training recipe uses
   * 0.04).
   */
  static Model load(String ref, long seed, String option, double convInitScale) {
    if (!isReferenceCnn(ref) || convInitScale == 1) return load(ref, seed, option);
    return Zoo.referenceCnn(
        seed,
        new Initializer(convInitScale, Initializer.Mode.FAN_AVG, Initializer.Distribution.UNIFORM));
  }

  static Model load(String ref, long seed, String option) {
    if (isArchitecture(ref))
      return architecture(ref.startsWith("zoo:") ? ref.substring(4) : ref, seed);
    if (ref.startsWith("zoo:")) Args.zooName(ref, option);
    Path p = Args.modelFile(ref, option);
    if (isKeras(p)) {
      Model k = keras(p, ref, option);
      Finite.check(k, ref, option);
      return k;
    }
    if (Args.isTflite(p))
      throw CliException.usage(
          option
              + ": "
              + ref
              + " is a .tflite file; this needs a saved qat4j model or an architecture name");
    if (QatFiles.isQat(p)) {
      throw CliException.usage(
          option
              + ": "
              + ref
              + " is a QAT model (written by quantize); use quantize --in to continue QAT, "
              + "export --format int8 to write it, or verify --model to check it");
    }
    Model m;
    try {
      m = ModelIO.load(p);
    } catch (IOException | RuntimeException e) {
      throw CliException.usage(
          option + ": " + ref + " is not a readable qat4j model (" + Main.oneLine(e) + ")");
    }
    Finite.check(m, ref, option);
    return m;
  }

  /** A .keras or .h5 Keras file (told by its name; the importer checks the content). */
  static boolean isKeras(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".keras") || n.endsWith(".h5");
  }

  /** Imports a Keras model without its final softmax: qat4j models give logits. */
  private static Model keras(Path p, String ref, String option) {
    try {
      return KerasImporter.read(p, true).model();
    } catch (IOException | KerasImportException e) {
      throw CliException.usage(
          option + ": " + ref + " cannot be imported from Keras: " + Main.oneLine(e));
    }
  }
}
