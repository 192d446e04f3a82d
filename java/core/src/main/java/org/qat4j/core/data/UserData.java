package org.qat4j.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.qat4j.core.Shapes;

/**
 * The one entry point for user data: detects the format of a file or folder and loads it as a
 * {@link Dataset} shaped for the model. Formats: an IDX folder (MNIST/Fashion-MNIST file names; the
 * train or t10k split), an image folder (one sub-folder per class, or images plus {@code
 * labels.csv}), NumPy {@code .npy}/{@code .npz}, and a CSV of numbers.
 */
public final class UserData {
  /** Formats {@link #detect} recognises. */
  public enum Format {
    IDX,
    IMAGE_FOLDER,
    IMAGE_LIST,
    NPY,
    NPZ,
    CSV;

    /** Lower-case name with dashes, as reported in JSON. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** Which split of an IDX folder to read; other formats are one split per path. */
  public enum Split {
    TRAIN,
    TEST
  }

  private UserData() {}

  /**
   * The format of {@code p}, told by content (magic bytes, folder layout) rather than by name
   * alone.
   */
  public static Format detect(Path p) throws IOException {
    if (!Files.exists(p))
      throw new NoSuchFileException(p.toString(), null, "no such data file or folder");
    if (Files.isDirectory(p)) return detectFolder(p);
    byte[] head;
    try (InputStream in = Files.newInputStream(p)) {
      head = in.readNBytes(6);
    }
    if (head.length == 6
        && (head[0] & 0xff) == 0x93
        && new String(head, 1, 5, java.nio.charset.StandardCharsets.ISO_8859_1).equals("NUMPY")) {
      return Format.NPY;
    }
    if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4)
      return Format.NPZ;
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".npy") || n.endsWith(".npz")) {
      throw new IOException(
          p
              + ": offset 0: named ."
              + n.substring(n.length() - 3)
              + " but lacks the "
              + (n.endsWith(".npy") ? "\\x93NUMPY" : "zip (PK\\3\\4)")
              + " magic");
    }
    if (n.endsWith(".csv") || n.endsWith(".txt")) return Format.CSV;
    throw new IOException(
        p
            + ": unknown data format; expected an IDX or image folder, a .npy/.npz file or a .csv file");
  }

  private static Format detectFolder(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      if (s.map(f -> f.getFileName().toString())
          .anyMatch(f -> f.matches(".*[-.]idx\\d-ubyte(\\.gz)?"))) return Format.IDX;
    }
    if (Files.isRegularFile(dir.resolve(ImageList.LABELS))) return Format.IMAGE_LIST;
    return Format.IMAGE_FOLDER;
  }

  /**
   * Loads {@code p} (detected format) and fits it to {@code spec.sampleShape()} when given. Every
   * problem with the content is an {@link IOException} naming the file and the place.
   */
  public static Dataset load(Path p, Split split, DataSpec spec) throws IOException {
    try {
      return read(p, split, spec);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static Dataset read(Path p, Split split, DataSpec spec) throws IOException {
    Format f = detect(p);
    ImageFolder images = spec.images() != null ? spec.images() : ImageFolder.of(28, 28, 1);
    Dataset d =
        switch (f) {
          case IDX -> FashionMnist.load(p, split == Split.TRAIN ? "train" : "t10k");
          case IMAGE_FOLDER -> images.load(p);
          case IMAGE_LIST -> ImageList.load(p, images, spec.labels());
          case NPY -> NumpyData.npy(p, spec);
          case NPZ -> NumpyData.npz(p, spec);
          case CSV -> CsvData.load(p, spec);
        };
    return fit(p, d, spec.sampleShape());
  }

  /**
   * Loads data for a model with several inputs or outputs from a {@code .npz} (the one format that
   * holds several arrays): arrays named after the model's inputs and outputs (see the README, "Your
   * data"), each input's samples viewed with {@code shapes[i]} (same element count required).
   * Content problems are {@link IOException}s naming the file and the array.
   */
  public static MultiDataset loadMulti(
      Path p, List<String> inputs, List<int[]> shapes, List<String> outputs, boolean labels)
      throws IOException {
    Format f = detect(p);
    if (f != Format.NPZ)
      throw new IOException(
          p
              + ": a model with "
              + inputs.size()
              + " input(s) and "
              + outputs.size()
              + " output(s) takes its data from a .npz with one array per input and per output"
              + " (x_<input> or x0, x1, …; y_<output> or y0, y1, …); this is "
              + f.id());
    MultiDataset d;
    try {
      d = NumpyData.npzMulti(p, inputs, outputs, labels);
    } catch (IllegalArgumentException e) {
      throw new IOException(p + ": " + e.getMessage(), e);
    }
    float[][] x = d.inputs();
    int[][] fitted = new int[x.length][];
    for (int i = 0; i < x.length; i++) {
      if (Shapes.size(d.sampleShape(i)) != Shapes.size(shapes.get(i)))
        throw new IOException(
            p
                + ": input '"
                + inputs.get(i)
                + "': samples of shape "
                + Arrays.toString(d.sampleShape(i))
                + " do not fit the model input "
                + Arrays.toString(shapes.get(i)));
      fitted[i] = shapes.get(i);
    }
    return new MultiDataset(x, fitted, labels ? d.labels() : null);
  }

  /** The dataset viewed with the model's sample shape; same element count required. */
  static Dataset fit(Path p, Dataset d, int[] shape) throws IOException {
    if (shape == null || Arrays.equals(shape, d.sampleShape())) return d;
    long want = 1, have = 1;
    for (int s : shape) want *= s;
    for (int s : d.sampleShape()) have *= s;
    if (want != have) {
      throw new IOException(
          p
              + ": samples of shape "
              + Arrays.toString(d.sampleShape())
              + " ("
              + have
              + " values) do not fit the model input "
              + Arrays.toString(shape)
              + " ("
              + want
              + " values)");
    }
    return d.reshaped(shape);
  }
}
