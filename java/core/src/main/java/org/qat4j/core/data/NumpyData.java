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

  /**
   * Several inputs and outputs from one .npz: input i named N is array {@code x_N}, else {@code
   * x<i>} (a single input may also be {@code x}); output o named O takes labels {@code y_O}, else
   * {@code y<o>} (a single output may also be {@code y}).
   */
  static MultiDataset npzMulti(Path file, List<String> inputs, List<String> outputs, boolean labels)
      throws IOException {
    List<String> entries = entries(file);
    List<String> xs = new ArrayList<>(), ys = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++)
      xs.add(pick(file, entries, "x", inputs.get(i), i, inputs.size() == 1));
    if (labels)
      for (int o = 0; o < outputs.size(); o++)
        ys.add(pick(file, entries, "y", outputs.get(o), o, outputs.size() == 1));
    List<String> all = new ArrayList<>(xs);
    all.addAll(ys);
    Map<String, Npy.Array> arrays = readNpz(file, all);
    float[][] x = new float[xs.size()][];
    int[][] shapes = new int[xs.size()][];
    int n = -1;
    for (int i = 0; i < x.length; i++) {
      Npy.Array a = arrays.get(xs.get(i));
      int s = samples(a);
      if (n >= 0 && s != n)
        throw new IOException(
            file + ": array " + xs.get(i) + " has " + s + " samples, " + xs.get(0) + " has " + n);
      n = s;
      x[i] = a.floats();
      shapes[i] = sampleShape(a);
    }
    if (!labels) return new MultiDataset(x, shapes, null);
    int[][] y = new int[ys.size()][];
    for (int o = 0; o < y.length; o++) y[o] = labelArray(file, ys.get(o), arrays.get(ys.get(o)), n);
    return new MultiDataset(x, shapes, y);
  }

  private static String pick(
      Path file, List<String> entries, String kind, String name, int index, boolean single)
      throws IOException {
    for (String c :
        single
            ? List.of(kind + "_" + name, kind + index, kind)
            : List.of(kind + "_" + name, kind + index)) if (entries.contains(c + ".npy")) return c;
    throw new IOException(
        file
            + ": no array for "
            + (kind.equals("x") ? "input" : "output")
            + " "
            + index
            + " '"
            + name
            + "' (expected "
            + kind
            + "_"
            + name
            + ".npy or "
            + kind
            + index
            + ".npy"
            + (single ? " or " + kind + ".npy" : "")
            + "); the archive holds "
            + entries);
  }

  private static int[] labelArray(Path file, String name, Npy.Array y, int n) throws IOException {
    int[] ys = y.shape();
    if (!(ys.length == 1 || (ys.length == 2 && ys[1] == 1)) || ys[0] != n)
      throw new IOException(
          file
              + ": entry "
              + name
              + ".npy has shape "
              + Arrays.toString(ys)
              + "; expected ["
              + n
              + "] labels, one per sample");
    if (!y.dtype().integral())
      throw new IOException(
          file
              + ": entry "
              + name
              + ".npy has dtype "
              + y.dtype().descr
              + "; class labels must be an integer array");
    return y.labels();
  }

  private static List<String> entries(Path file) throws IOException {
    List<String> entries = new ArrayList<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); )
        entries.add(e.nextElement().getName());
    } catch (ZipException e) {
      throw new IOException(file + ": not a readable .npz (zip) archive: " + e.getMessage(), e);
    }
    return entries;
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
