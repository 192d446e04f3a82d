package org.qat4j.core.data;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Fashion-MNIST from its four IDX files (raw or .gz): 28×28×1 images scaled to [0, 1], labels 0–9.
 * The directory defaults to the system property {@code qat4j.fashionMnist}, else {@code
 * /usr/share/datasets/fashion-mnist} (Debian package {@code dataset-fashion-mnist}).
 */
public final class FashionMnist {
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  private FashionMnist() {}

  /** The 60,000-image training split and the 10,000-image test split. */
  public record Splits(Dataset train, Dataset test) {}

  /** The directory used when none is given. */
  public static Path defaultDir() {
    return Path.of(System.getProperty("qat4j.fashionMnist", DEFAULT_DIR));
  }

  /** True when the default directory holds the four files. */
  public static boolean available() {
    return available(defaultDir());
  }

  public static boolean available(Path dir) {
    for (String f :
        new String[] {
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte"
        }) {
      if (find(dir, f) == null) return false;
    }
    return true;
  }

  public static Splits load() throws IOException {
    return load(defaultDir());
  }

  public static Splits load(Path dir) throws IOException {
    return new Splits(load(dir, "train"), load(dir, "t10k"));
  }

  /** Loads one split: prefix "train" or "t10k". */
  public static Dataset load(Path dir, String prefix) throws IOException {
    return read(
            require(dir, prefix + "-images-idx3-ubyte"),
            require(dir, prefix + "-labels-idx1-ubyte"),
            10)
        .withClassNames(CLASS_NAMES);
  }

  /**
   * Reads an MNIST-style image file ({@code [N, H, W]} ubyte) and label file ({@code [N]} ubyte)
   * into a dataset of H×W×1 samples scaled to [0, 1].
   */
  public static Dataset read(Path imagesFile, Path labelsFile, int numClasses) throws IOException {
    Idx.Array images = Idx.read(imagesFile);
    Idx.Array labels = Idx.read(labelsFile);
    requireUbyte(imagesFile, images, 3, "images [N, H, W]");
    requireUbyte(labelsFile, labels, 1, "labels [N]");
    int n = images.dims()[0], h = images.dims()[1], w = images.dims()[2];
    if (labels.dims()[0] != n) {
      throw new IllegalArgumentException(
          "image/label count mismatch: "
              + imagesFile
              + " has "
              + n
              + " images but "
              + labelsFile
              + " has "
              + labels.dims()[0]
              + " labels");
    }
    int[] lab = new int[n];
    for (int i = 0; i < n; i++) {
      lab[i] = labels.ubyte(i);
      if (lab[i] >= numClasses)
        throw new IllegalArgumentException(
            labelsFile + ": label " + lab[i] + " at index " + i + " is not < " + numClasses);
    }
    float[] px = new float[n * h * w];
    byte[] d = images.data();
    for (int i = 0; i < px.length; i++) px[i] = (d[i] & 0xff) / 255f;
    return new Dataset(px, lab, new int[] {h, w, 1}, numClasses);
  }

  /** Throws unless {@code a} (read from {@code file}) is unsigned bytes of {@code rank} dims. */
  private static void requireUbyte(Path file, Idx.Array a, int rank, String what) {
    if (a.type() != Idx.UBYTE || a.dims().length != rank) {
      throw new IllegalArgumentException(
          file
              + ": expected unsigned-byte "
              + what
              + ", got type 0x"
              + Integer.toHexString(a.type())
              + " dims "
              + Arrays.toString(a.dims()));
    }
  }

  private static Path require(Path dir, String base) throws IOException {
    Path p = find(dir, base);
    if (p == null) {
      throw new FileNotFoundException(
          "Fashion-MNIST file "
              + base
              + "[.gz] not found in "
              + dir
              + "; install it with `apt-get install dataset-fashion-mnist`"
              + " or point -Dqat4j.fashionMnist=<dir> at the IDX files");
    }
    return p;
  }

  private static Path find(Path dir, String base) {
    for (String name : new String[] {base + ".gz", base, base.replace("-idx", ".idx")}) {
      Path p = dir.resolve(name);
      if (Files.isRegularFile(p)) return p;
    }
    return null;
  }
}
