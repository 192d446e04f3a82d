package org.qat4j.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * NumPy inputs: a {@code .npy} file holds x ({@code [N, ...]}, inputs only) and a {@code .npz}
 * archive (plain or compressed) holds arrays {@code x} and, for labelled data, {@code y} ({@code
 * [N]} or {@code [N, 1]} integer class ids). A rank-1 x is N scalar samples of shape [1].
 */
final class NumpyData {
  private NumpyData() {}

  static Dataset npy(Path file, DataSpec spec) throws IOException {
    if (spec.labels()) {
      throw new IOException(
          file
              + ": a .npy file holds inputs only; labelled data needs a .npz with arrays x and y (np.savez(f, x=x, y=y))");
    }
    return unlabelled(Npy.parse(file.toString(), Files.readAllBytes(file)));
  }

  static Dataset npz(Path file, DataSpec spec) throws IOException {
    Map<String, Npy.Array> arrays = readNpz(file, spec.labels() ? List.of("x", "y") : List.of("x"));
    Npy.Array x = arrays.get("x");
    if (!spec.labels()) return unlabelled(x);
    Npy.Array y = arrays.get("y");
    int n = samples(x);
    int[] ys = y.shape();
    if (!(ys.length == 1 || (ys.length == 2 && ys[1] == 1)) || ys[0] != n) {
      throw new IOException(
          file
              + ": entry y.npy has shape "
              + Arrays.toString(ys)
              + "; expected ["
              + n
              + "] labels for the "
              + n
              + " samples of x");
    }
    if (!y.dtype().integral())
      throw new IOException(
          file
              + ": entry y.npy has dtype "
              + y.dtype().descr
              + "; class labels must be an integer array");
    int[] labels = y.labels();
    int classes = Arrays.stream(labels).max().orElse(0) + 1;
    return new Dataset(x.floats(), labels, sampleShape(x), classes);
  }

  private static Dataset unlabelled(Npy.Array x) throws IOException {
    samples(x);
    return Dataset.unlabelled(x.floats(), sampleShape(x));
  }

  private static int samples(Npy.Array x) throws IOException {
    if (x.shape().length == 0 || x.shape()[0] == 0) {
      throw new IOException(
          x.source()
              + ": x has shape "
              + Arrays.toString(x.shape())
              + "; expected [N, ...] with N > 0 samples");
    }
    return x.shape()[0];
  }

  private static int[] sampleShape(Npy.Array x) {
    return x.shape().length == 1
        ? new int[] {1}
        : Arrays.copyOfRange(x.shape(), 1, x.shape().length);
  }

  /**
   * The named arrays of an .npz ({@code name.npy} entries); a missing one is an error listing what
   * is there.
   */
  private static Map<String, Npy.Array> readNpz(Path file, List<String> names) throws IOException {
    Map<String, Npy.Array> out = new LinkedHashMap<>();
    List<String> entries = new ArrayList<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); )
        entries.add(e.nextElement().getName());
      for (String name : names) {
        ZipEntry entry = zip.getEntry(name + ".npy");
        if (entry == null)
          throw new IOException(
              file
                  + ": no array '"
                  + name
                  + "' (entry "
                  + name
                  + ".npy); the archive holds "
                  + entries);
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
          bytes = in.readAllBytes();
        } catch (ZipException ex) {
          throw new IOException(
              file
                  + ": entry "
                  + entry.getName()
                  + ": corrupt compressed data ("
                  + ex.getMessage()
                  + ")",
              ex);
        }
        out.put(name, Npy.parse(file + ":" + entry.getName(), bytes));
      }
    } catch (ZipException e) {
      throw new IOException(file + ": not a readable .npz (zip) archive: " + e.getMessage(), e);
    }
    return out;
  }
}
